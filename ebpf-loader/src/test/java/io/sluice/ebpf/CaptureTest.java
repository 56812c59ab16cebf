package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.ingest.Topics;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.Direction;
import io.sluice.wire.SocketEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The loader on the real kernel, in namespaces this test makes, producing to a real Kafka broker. */
class CaptureTest {
  static final int DIGS = 4;
  static final int CURLS = 4;

  @BeforeAll
  static void kernelHasBpf() {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
  }

  @Test
  void capturesDnsAndHttpWithTheirProcesses() throws Exception {
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    try (NetLab lab = new NetLab()) {
      LabServers.start(lab);
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withKafka(TestKafka.bootstrap())
          .withTopicPrefix(prefix).withSnapLen(512).withMetricsPort(0).withStateDir(state);
      String metrics;
      try (Loader loader = Loader.start(config, null)) {
        assertEquals(TcxCrashTest.kernelHasTcx() ? "tcx" : "tc", loader.choices().get("capture"), "tcx links where the kernel has them");
        assertTrue(loader.attachedInterfaces().containsValue(lab.clientVeth), loader.attachedInterfaces().toString());
        for (int i = 0; i < DIGS; i++) {
          String answer = lab.exec(lab.client, true, "dig +short +tries=1 +time=10 @" + lab.serverIp + " " + LabServers.NAME + " A");
          assertEquals(lab.serverIp, answer.trim());
        }
        for (int i = 0; i < CURLS; i++) {
          String body = lab.exec(lab.client, true, "curl -sf -m 20 http://" + lab.serverIp + "/");
          assertEquals("hello from sluice", body.trim());
        }
        String attached = attached(lab);
        assertTrue(attached.contains("ingress") && attached.contains("capture_ingress") && attached.contains("capture_egress"),
            "capture attached while running: " + attached);
        waitFor(() -> loader.metrics().sent() >= 2L * DIGS + 4L * CURLS, 10_000);
        // /metrics binds loopback unless --metrics-bind says otherwise: the loader runs on the host network.
        assertTrue(answers(java.net.InetAddress.getLoopbackAddress(), loader.metricsPort()));
        java.net.InetAddress outside = nonLoopbackAddress();
        if (outside != null) {
          assertFalse(answers(outside, loader.metricsPort()), "/metrics must not answer on " + outside.getHostAddress());
        }
        metrics = loader.metricsText();
      }
      assertEquals("", attached(lab), "tc filters or tcx programs left after stop");
      assertFalse(NetLab.sh("tc -netns " + lab.client + " qdisc show dev " + lab.clientVeth).contains("clsact"));
      assertTrue(metrics.contains("sluice_ebpf_ringbuf_drops_total{kind=\"packet\"} 0"), metrics);

      List<CapturedPacket> packets = new ArrayList<>();
      List<SocketEvent> sockets = new ArrayList<>();
      consume(prefix, packets, sockets, DIGS * 2, CURLS * 2);
      long cgroup = lab.cgroupId();
      int queries = 0, answers = 0, requests = 0, responses = 0;
      for (CapturedPacket p : packets) {
        String kind = Frames.classify(p.getData().toByteArray());
        assertEquals(lab.clientVeth, p.getInterface());
        switch (kind) {
          case "dns-query" -> {
            queries++;
            assertEquals(Direction.EGRESS, p.getDirection());
            assertEquals(cgroup, p.getCgroupId(), "egress packets carry the sender's cgroup");
          }
          case "dns-answer" -> answers++;
          case "http-request" -> requests++;
          case "http-response" -> responses++;
          default -> { }
        }
      }
      assertEquals(DIGS, queries, "DNS queries");
      assertEquals(DIGS, answers, "DNS answers");
      assertEquals(CURLS, requests, "HTTP requests");
      assertEquals(CURLS, responses, "HTTP responses");

      long digEvents = sockets.stream().filter(e -> e.getComm().equals("dig") && e.getProtocol() == 17
          && e.getCgroupId() == cgroup && e.getPidTrusted() && e.getDstPort() == 53).count();
      long curlConnects = sockets.stream().filter(e -> e.getComm().equals("curl") && e.getProtocol() == 6
          && e.getNewState() == 2 && e.getCgroupId() == cgroup && e.getPidTrusted() && e.getDstPort() == 80).count();
      assertTrue(digEvents >= DIGS, "dig socket events: " + digEvents + " of " + sockets);
      assertEquals(CURLS, curlConnects, "curl SYN_SENT events: " + sockets);
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }

  /** The capture programs on the client's veth: its tc filters, then its tcx programs ("tcx ingress 42: sched_cls name …"). */
  static String attached(NetLab lab) {
    StringBuilder sb = new StringBuilder(filters(lab));
    try (NetNs ns = new NetNs(lab.client)) {
      int ifindex = ns.call(Interfaces::list).entrySet().stream()
          .filter(e -> e.getValue().equals(lab.clientVeth)).findFirst().orElseThrow().getKey();
      for (boolean ingress : new boolean[] {true, false}) {
        for (int id : TcAttacher.tcxProgramIds(ns, ifindex, ingress)) {
          sb.append(sb.isEmpty() ? "" : "\n").append("tcx ").append(ingress ? "ingress " : "egress ")
              .append(NetLab.sh("bpftool prog show id " + id).trim());
        }
      }
    }
    return sb.toString();
  }

  static String filters(NetLab lab) {
    return NetLab.sh("tc -netns " + lab.client + " filter show dev " + lab.clientVeth + " ingress; "
        + "tc -netns " + lab.client + " filter show dev " + lab.clientVeth + " egress").trim();
  }

  static void waitFor(java.util.function.BooleanSupplier ok, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!ok.getAsBoolean() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
  }

  static void consume(String prefix, List<CapturedPacket> packets, List<SocketEvent> sockets, int minPackets, int minSockets)
      throws Exception {
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "test-" + prefix,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(prefix + Topics.PACKETS_RAW, prefix + Topics.SOCKETS_RAW));
      long deadline = System.currentTimeMillis() + 20_000;
      int idle = 0;
      while (System.currentTimeMillis() < deadline && idle < 3) {
        var records = c.poll(Duration.ofMillis(500));
        idle = records.isEmpty() && packets.size() >= minPackets && sockets.size() >= minSockets ? idle + 1 : 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (r.topic().endsWith(Topics.PACKETS_RAW)) {
            packets.addAll(SentPackets.of(r.value(), r.headers()));
          } else {
            sockets.add(SocketEvent.parseFrom(r.value()));
          }
        }
      }
    }
  }

  /** Just enough parsing to tell DNS queries from answers and HTTP requests from responses. */
  static final class Frames {
    static String classify(byte[] f) {
      if (f.length < 34 || f[12] != 0x08 || f[13] != 0x00) {
        return "other";
      }
      int ip = 14;
      int l4 = ip + (f[ip] & 0x0f) * 4;
      int proto = f[ip + 9] & 0xff;
      int sport = (f[l4] & 0xff) << 8 | (f[l4 + 1] & 0xff);
      int dport = (f[l4 + 2] & 0xff) << 8 | (f[l4 + 3] & 0xff);
      if (proto == 17 && (sport == 53 || dport == 53) && f.length >= l4 + 8 + 12) {
        return (f[l4 + 8 + 2] & 0x80) != 0 ? "dns-answer" : "dns-query";
      }
      if (proto == 6) {
        int payload = l4 + ((f[l4 + 12] & 0xf0) >> 4) * 4;
        String text = new String(f, payload, Math.max(0, f.length - payload), StandardCharsets.ISO_8859_1);
        if (text.startsWith("GET ")) {
          return "http-request";
        }
        if (text.startsWith("HTTP/1.1 200")) {
          return "http-response";
        }
      }
      return "other";
    }
  }

  static java.net.InetAddress nonLoopbackAddress() throws java.net.SocketException {
    for (java.net.NetworkInterface i : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (i.isUp() && !i.isLoopback()) {
        for (java.net.InetAddress a : java.util.Collections.list(i.getInetAddresses())) {
          if (a instanceof java.net.Inet4Address) {
            return a;
          }
        }
      }
    }
    return null;
  }

  static boolean answers(java.net.InetAddress address, int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(address, port), 2_000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
