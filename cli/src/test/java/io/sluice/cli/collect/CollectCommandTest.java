package io.sluice.cli.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.Main;
import io.sluice.cli.stack.KafkaTopics;
import io.sluice.ingest.Topics;
import io.sluice.net.IpAddresses;
import io.sluice.stack.KafkaService;
import io.sluice.stack.Ports;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.wire.FlowDatagram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** `sluice collect` as a real foreground process: started, fed a datagram, scraped, stopped with SIGTERM. */
class CollectCommandTest {
  @Test
  void badArgumentsAreUsageErrors() {
    StringWriter err = new StringWriter();
    int code = Main.newCommandLine().setErr(new PrintWriter(err, true)).execute("collect", "--sockets", "0");
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("--sockets must be 1..64, got 0"), err.toString());
    err.getBuffer().setLength(0);
    code = Main.newCommandLine().setErr(new PrintWriter(err, true)).execute("collect", "--sflow-port", "0", "--netflow-port", "0", "--ipfix-port", "0");
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("every listener is off"), err.toString());
    err.getBuffer().setLength(0);
    code = Main.newCommandLine().setErr(new PrintWriter(err, true)).execute("collect", "--bind", "localhost");
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("--bind must be an IP address"), err.toString());
    err.getBuffer().setLength(0);
    code = Main.newCommandLine().setErr(new PrintWriter(err, true)).execute("collect", "--compression", "lz5");
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("--compression: compression \"lz5\" is not one of none, gzip, snappy, lz4, zstd"), err.toString());
    for (String command : List.of("collect", "capture")) {
      err.getBuffer().setLength(0);
      code = Main.newCommandLine().setErr(new PrintWriter(err, true)).execute(command, "--metrics-bind", "my-pod");
      assertEquals(2, code, command);
      assertTrue(err.toString().startsWith("--metrics-bind must be an IP address such as 127.0.0.1 or the pod IP, got \"my-pod\""), err.toString());
    }
  }

  @Test
  void runsInTheForegroundUntilSigtermAndFlushes() throws Exception {
    StackSettings settings = TestStack.settings();
    KafkaService kafka = TestStack.start(new KafkaService(settings), 60_000);
    Process process = null;
    try {
      KafkaTopics.ensure(settings.kafkaBootstrap(), new PrintWriter(new StringWriter()));
      int netflow = Ports.free();
      int metrics = Ports.free();
      String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      Path errFile = Files.createTempFile("sluice-collect", ".err");
      errFile.toFile().deleteOnExit();
      process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", classpath,
          Main.class.getName(), "collect", "--bind", "0.0.0.0", "--sflow-port", "0", "--ipfix-port", "0",
          "--netflow-port", Integer.toString(netflow), "--metrics-port", Integer.toString(metrics), "--sockets", "2",
          "--kafka", settings.kafkaBootstrap(), "--lab-mode", "--collector-id", "cli-test")
          .redirectError(errFile.toFile()).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String banner = out.readLine();
      assertTrue(banner != null && banner.startsWith("collecting on 0.0.0.0 (netflow udp/" + netflow + ") into " + settings.kafkaBootstrap()),
          banner + "\n" + Files.readString(errFile));
      assertTrue(banner.contains("LAB MODE"), banner);
      // The listeners take every address; /metrics only loopback (no --metrics-bind given).
      assertTrue(banner.contains("metrics on http://127.0.0.1:" + metrics + "/metrics"), banner);

      byte[] payload = HexFormat.of().parseHex("000500000000000000000000000000000000000000000000");
      try (DatagramChannel sender = DatagramChannel.open()) {
        for (int i = 0; i < 5; i++) {
          sender.send(ByteBuffer.wrap(payload), new InetSocketAddress(InetAddress.getLoopbackAddress(), netflow));
        }
      }
      String text = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();  // a ceiling for a busy machine
      while (System.nanoTime() < deadline && !text.contains("sluice_collector_datagrams_received_total{exporter=\"127.0.0.1\",listener=\"netflow\"} 5")) {
        Thread.sleep(100);
        text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
      }
      assertTrue(text.contains("sluice_collector_datagrams_received_total{exporter=\"127.0.0.1\",listener=\"netflow\"} 5"), text);
      InetAddress outside = nonLoopbackAddress();
      if (outside != null) {
        assertFalse(answers(outside, metrics), "/metrics must not answer on " + outside.getHostAddress());
      }
      assertTrue(text.contains("sluice_collector_kernel_udp_drops_total{listener=\"netflow\",port=\"" + netflow + "\"} 0"), text);
      // SIGTERM: the shutdown hook stops the listeners and flushes what the producer still holds.
      process.destroy();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS));
      assertEquals(143, process.exitValue(), Files.readString(errFile));
      assertTrue(Files.readString(errFile).contains("collector stopped; producer flushed"), Files.readString(errFile));

      List<ConsumerRecord<byte[], byte[]>> records = read(settings.kafkaBootstrap(), 5);
      assertEquals(5, records.size());
      for (ConsumerRecord<byte[], byte[]> r : records) {
        FlowDatagram d = FlowDatagram.parseFrom(r.value());
        assertEquals("cli-test", d.getCollectorId());
        assertEquals(HexFormat.of().formatHex(IpAddresses.parse("127.0.0.1")), HexFormat.of().formatHex(r.key()));
        assertEquals(HexFormat.of().formatHex(payload), HexFormat.of().formatHex(d.getPayload().toByteArray()));
      }
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
      TestStack.stopAndDelete(settings, kafka);
    }
  }

  /** The first address of an interface that is up and not loopback, or null on a machine without one. */
  static InetAddress nonLoopbackAddress() throws java.net.SocketException {
    for (java.net.NetworkInterface i : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (i.isUp() && !i.isLoopback()) {
        for (InetAddress a : java.util.Collections.list(i.getInetAddresses())) {
          if (a instanceof java.net.Inet4Address) {
            return a;
          }
        }
      }
    }
    return null;
  }

  static boolean answers(InetAddress address, int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new InetSocketAddress(address, port), 2_000);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(String bootstrap, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(Topics.FLOWS_RAW).stream().map(i -> new TopicPartition(Topics.FLOWS_RAW, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      c.poll(Duration.ofMillis(300)).forEach(out::add);
      return out;
    }
  }
}
