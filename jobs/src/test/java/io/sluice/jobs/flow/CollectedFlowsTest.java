package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.l7.capture.LoopbackDumpcap;
import io.sluice.ingest.collect.Collector;
import io.sluice.ingest.collect.ListenerKind;
import io.sluice.ingest.collect.Metrics;
import io.sluice.ingest.collect.UdpPayloads;
import io.sluice.ingest.sources.Sources;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole collect path with real exporters: UDP on loopback into a real {@link Collector}, real Kafka, FlowJob in a
 * Flink MiniCluster, real ClickHouse. What lands is compared with tshark's decode of the very same datagrams.
 */
class CollectedFlowsTest {
  /** softflowd 1.1 exports it as 2,866 records (1,433 flows, each direction a record) in 92 datagrams. */
  private static final String SOFTFLOWD_CAPTURE = "l7/pktvisor/dns_udp_tcp_random.pcap";

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @TempDir Path tmp;

  @Test
  void softflowdNetflowV9AndIpfixLandAsTsharkDecodesTheDatagramsItSent() throws Exception {
    for (String tool : List.of("softflowd", "dumpcap", "tshark")) {
      assertTrue(onPath(tool), tool + " is missing: scripts/prereqs.sh installs it (./sluice test)");
    }
    try (FlowPipeline p = FlowPipeline.create("softflowd")) {
      p.register("127.0.0.1", "softflowd", 1); // softflowd exports every packet it reads
      TsharkCflow.Decode sent;
      int v9Port;
      int ipfixPort;
      int datagrams;
      try (Collector collector = p.startCollector()) {
        v9Port = collector.port(ListenerKind.NETFLOW);
        ipfixPort = collector.port(ListenerKind.IPFIX);
        try (LoopbackDumpcap capture = LoopbackDumpcap.udpTo(tmp, "exported", v9Port, ipfixPort)) {
          softflowd(v9Port, 9);
          softflowd(ipfixPort, 10);
          sent = TsharkCflow.decode(capture.stop(), v9Port, ipfixPort);
        }
        datagrams = sent.datagramsByPort().values().stream().mapToInt(Integer::intValue).sum();
        int captured = datagrams;
        assertTrue(sent.datagramsByPort().keySet().equals(Set.of(v9Port, ipfixPort)) && sent.records().size() > 1000,
            "softflowd exported both versions: " + sent.datagramsByPort() + ", " + sent.records().size() + " records");
        assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> forwarded(collector, "") >= captured) >= 0,
            () -> "the collector forwarded all " + captured + " captured datagrams: " + scrapeQuietly(collector));
        String metrics = Metrics.scrape(collector.metricsPort());
        assertEquals(datagrams, Metrics.value(metrics, "sluice_collector_datagrams_received_total"), metrics);
      }
      FlowPipeline.runBounded(p, 300);

      // tshark's records, totalled per export version and IP protocol, against the rows.
      Map<String, Map<Integer, long[]>> expected = new TreeMap<>();
      for (TsharkCflow.FlowRow r : sent.records()) {
        assertEquals(r.version() == 9 ? v9Port : ipfixPort, r.port(), "each version went to its own listener");
        String type = (r.version() == 9 ? FlowType.NETFLOW9 : FlowType.IPFIX).column();
        long[] t = expected.computeIfAbsent(type, k -> new TreeMap<>()).computeIfAbsent(r.protocol(), k -> new long[3]);
        t[0]++;
        t[1] += r.octets();
        t[2] += r.packets();
      }
      List<List<String>> expectedRows = new ArrayList<>();
      expected.forEach((type, byProtocol) -> byProtocol.forEach((protocol, t) -> expectedRows.add(List.of(type,
          protocol.toString(), Long.toString(t[0]), Long.toString(t[1]), Long.toString(t[2]), Long.toString(t[1])))));
      assertEquals(expectedRows, p.db.query("SELECT flow_type, protocol, count(), sum(sampled_bytes), sum(sampled_packets),"
          + " sum(est_bytes) FROM flows WHERE exporter_name = 'softflowd' GROUP BY flow_type, protocol"
          + " ORDER BY flow_type, protocol").rows(), "rate 1: est_bytes = sampled_bytes");
      assertEquals(sent.records().size(), p.count("SELECT count() FROM flows"), "every row is the registered exporter's");
      assertEquals(List.of(Integer.toString(datagrams), Integer.toString(sent.records().size())),
          p.row("SELECT sum(datagrams), sum(records) FROM exporter_stats WHERE exporter_name = 'softflowd'"));
    }
  }

  @Test
  void replayedSflowLandsAsTsharkDecodesTheFixtures() throws Exception {
    try (FlowPipeline p = FlowPipeline.create("sflow")) {
      // Per agent (the sFlow exporter): samples, sampled bytes, estimated bytes and packets, summed over the captures.
      Map<String, long[]> expected = new TreeMap<>();
      List<Path> captures = new ArrayList<>();
      for (Path pcap : flowCaptures()) {
        JsonNode summary = FlowPipeline.summary(oracleName(pcap));
        if (summary.path("datagrams").has("sflow")) {
          JsonNode sflow = summary.path("sflow");
          assertEquals(1, sflow.path("agents").size(), pcap.toString());
          long[] t = expected.computeIfAbsent("agent-" + sflow.path("agents").get(0).asText(), k -> new long[4]);
          t[0] += sflow.path("flow_samples").asLong();
          t[1] += sflow.path("sum_frame_length").asLong();
          t[2] += sflow.path("est_total_bytes").asLong();
          t[3] += sflow.path("est_total_packets").asLong();
          captures.add(pcap);
        }
      }
      assertTrue(captures.size() >= 10 && expected.size() >= 5, "sFlow fixtures: " + captures);
      for (String name : expected.keySet()) {
        p.register(name.substring("agent-".length()), name, null); // the datagrams carry their rates
      }
      // One sender replays every agent's datagrams: it is a relay, which the collector needs told.
      p.register(new Sources.Request("127.0.0.2", "replayer", null, false, "lab", List.of(), null, true, false));
      int sent = 0;
      try (Collector collector = p.startCollector();
          DatagramChannel sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", 0))) {
        InetSocketAddress listener = new InetSocketAddress("127.0.0.1", collector.port(ListenerKind.SFLOW));
        for (Path pcap : captures) {
          for (UdpPayloads.Datagram d : UdpPayloads.read(pcap)) {
            sender.send(ByteBuffer.wrap(d.payload()), listener);
            sent++;
          }
        }
        int datagrams = sent;
        assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> forwarded(collector, "") >= datagrams) >= 0,
            () -> "the collector forwarded all " + datagrams + " datagrams: " + scrapeQuietly(collector));
      }
      FlowPipeline.runBounded(p, 300);

      List<List<String>> expectedRows = new ArrayList<>();
      expected.forEach((name, t) -> expectedRows.add(List.of(name, Long.toString(t[0]), Long.toString(t[1]),
          Long.toString(t[2]), Long.toString(t[3]))));
      assertEquals(expectedRows, p.db.query("SELECT exporter_name, count(), sum(sampled_bytes), sum(est_bytes), sum(est_packets)"
          + " FROM flows GROUP BY exporter_name ORDER BY exporter_name").rows());
      assertEquals(List.of("1", "sflow5", Integer.toString(sent)),
          p.row("SELECT uniqExact(flow_type), any(flow_type), sum(datagrams) FROM exporter_stats"));
    }
  }

  /**
   * Rows carry the registration the collector accepted them under: a NetFlow source registered with another exporter
   * address, and an sFlow agent not registered itself but sending from a registered address.
   */
  @Test
  void rowsAreLabelledByTheRegistrationTheCollectorMatched() throws Exception {
    byte[] v5 = UdpPayloads.read(FlowPipeline.FIXTURES.resolve("flows/goflow2/nfv5.pcap")).get(0).payload();
    byte[] sflow = UdpPayloads.read(FlowPipeline.FIXTURES.resolve("flows/goflow2/sflow_expanded.pcap")).get(0).payload();
    JsonNode v5Oracle = FlowPipeline.summary("goflow2__nfv5");
    JsonNode sflowOracle = FlowPipeline.summary("goflow2__sflow_expanded").path("sflow");
    try (FlowPipeline p = FlowPipeline.create("matched")) {
      p.register(new Sources.Request("127.0.0.4", "overridden", 1, false, "lab", List.of(), "192.0.2.44"));
      p.register("127.0.0.5", "relay", null);
      try (Collector collector = p.startCollector();
          DatagramChannel netflow = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.4", 0));
          DatagramChannel relay = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.5", 0))) {
        netflow.send(ByteBuffer.wrap(v5), new InetSocketAddress("127.0.0.1", collector.port(ListenerKind.NETFLOW)));
        relay.send(ByteBuffer.wrap(sflow), new InetSocketAddress("127.0.0.1", collector.port(ListenerKind.SFLOW)));
        assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> forwarded(collector, "") >= 2) >= 0, () -> scrapeQuietly(collector));
      }
      FlowPipeline.runBounded(p, 300);
      assertEquals(List.of(
              List.of("overridden", "192.0.2.44", v5Oracle.path("netflow_ipfix").path("data_records").asText()),
              List.of("relay", sflowOracle.path("agents").get(0).asText(), sflowOracle.path("flow_samples").asText())),
          p.db.query("SELECT exporter_name, replaceOne(IPv6NumToString(exporter_addr), '::ffff:', ''), count() FROM flows"
              + " GROUP BY exporter_name, exporter_addr ORDER BY exporter_name").rows());
    }
  }

  /**
   * A datagram from an exporter nobody registered is rejected by the collector and never reaches ClickHouse; after
   * `sources add` (the registry topic, as the CLI writes it) the running collector and FlowJob take the exporter's
   * next datagrams without a restart, and every datagram forwarded from then lands once. How long the change took is
   * printed, not asserted (the 5 s a registry change may take is a figure for a quiet machine, not a test's bound).
   */
  @Test
  void anUnregisteredExporterLandsNothingUntilRegisteredThenWithoutRestart() throws Exception {
    byte[] v5 = UdpPayloads.read(FlowPipeline.FIXTURES.resolve("flows/goflow2/nfv5.pcap")).get(0).payload();
    JsonNode oracle = FlowPipeline.summary("goflow2__nfv5").path("netflow_ipfix");
    long perDatagram = oracle.path("data_records").asLong();
    long bytesPerDatagram = oracle.path("total_bytes").asLong();
    try (FlowPipeline p = FlowPipeline.create("unregistered")) {
      p.register("127.0.0.2", "known", 1);
      try (Collector collector = p.startCollector();
          DatagramChannel known = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", 0));
          DatagramChannel stranger = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.3", 0))) {
        InetSocketAddress listener = new InetSocketAddress("127.0.0.1", collector.port(ListenerKind.NETFLOW));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        FlowJob.build(env, p.jobArgs(300, false));
        JobClient job = env.executeAsync("flowjob-unregistered");
        try {
          for (int i = 0; i < 3; i++) {
            known.send(ByteBuffer.wrap(v5), listener);
            stranger.send(ByteBuffer.wrap(v5), listener);
          }
          // The known exporter's rows prove the stranger's had time to land, had they been forwarded.
          assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> p.count("SELECT count() FROM flows") >= 3 * perDatagram) >= 0,
              "the registered exporter's rows landed");
          assertEquals(List.of("1", "known", Long.toString(3 * perDatagram)),
              p.row("SELECT uniqExact(exporter_name), any(exporter_name), count() FROM flows"));
          String metrics = Metrics.scrape(collector.metricsPort());
          assertEquals(3, Metrics.value(metrics, "sluice_collector_datagrams_rejected_total", "exporter=\"127.0.0.3\"",
              "reason=\"unregistered\""), metrics);
          assertEquals(0, forwarded(collector, "127.0.0.3"), metrics);

          p.register("127.0.0.3", "late", 1);
          int[] sent = {3};
          long tookMs = FlowPipeline.await(Duration.ofSeconds(60), () -> {
            stranger.send(ByteBuffer.wrap(v5), listener);
            sent[0]++;
            return p.count("SELECT count() FROM flows WHERE exporter_name = 'late'") > 0;
          });
          assertTrue(tookMs >= 0, () -> "no row of the newly registered exporter within 60 s: " + scrapeQuietly(collector));
          System.out.printf("registry change: the first row of the newly registered exporter after %d ms%n", tookMs);
          // Each datagram sent is accounted for: rejected before the registration reached the collector, or forwarded.
          assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> {
            String text = Metrics.scrape(collector.metricsPort());
            return forwarded(collector, "127.0.0.3")
                + Metrics.value(text, "sluice_collector_datagrams_rejected_total", "exporter=\"127.0.0.3\"") == sent[0];
          }) >= 0, () -> sent[0] + " sent: " + scrapeQuietly(collector));
          double forwarded = forwarded(collector, "127.0.0.3");
          assertTrue(FlowPipeline.await(Duration.ofSeconds(60),
              () -> p.count("SELECT count() FROM flows WHERE exporter_name = 'late'") >= forwarded * perDatagram) >= 0,
              () -> forwarded + " forwarded; rows by exporter_name: "
                  + p.db.query("SELECT exporter_name, count() FROM flows GROUP BY exporter_name").rows());
          Thread.sleep(1000); // a few more checkpoints: nothing beyond what was forwarded may land
          assertEquals(List.of(Long.toString((long) forwarded * perDatagram), Long.toString((long) forwarded * bytesPerDatagram)),
              p.row("SELECT count(), sum(sampled_bytes) FROM flows WHERE exporter_name = 'late'"));
          assertEquals("0", p.db.scalar("SELECT count() FROM flows WHERE exporter_name NOT IN ('known', 'late')"));
          assertEquals(JobStatus.RUNNING, job.getJobStatus().get(10, TimeUnit.SECONDS), "the job ran throughout");
        } finally {
          job.cancel().get(30, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Datagrams the collector forwarded (acknowledged by Kafka), from one exporter or all (""); -1 when none. */
  private static double forwarded(Collector collector, String exporter) throws Exception {
    String text = Metrics.scrape(collector.metricsPort());
    return exporter.isEmpty() ? Metrics.value(text, "sluice_collector_datagrams_forwarded_total")
        : Metrics.value(text, "sluice_collector_datagrams_forwarded_total", "exporter=\"" + exporter + "\"");
  }

  private static String scrapeQuietly(Collector collector) {
    try {
      return Metrics.scrape(collector.metricsPort());
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** Exports the capture and exits at its end; with -c (another control socket) softflowd 1.1 would wait instead. */
  private static void softflowd(int port, int version) throws Exception {
    Process softflowd = new ProcessBuilder("softflowd", "-d", "-r", FlowPipeline.FIXTURES.resolve(SOFTFLOWD_CAPTURE).toString(),
        "-n", "127.0.0.1:" + port, "-v", Integer.toString(version))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!softflowd.waitFor(60, TimeUnit.SECONDS)) {
      softflowd.destroyForcibly();
      throw new AssertionError("softflowd -v " + version + " did not finish within 60 s");
    }
    assertEquals(0, softflowd.exitValue(), "softflowd -v " + version);
  }

  private static List<Path> flowCaptures() throws Exception {
    try (Stream<Path> files = Files.walk(FlowPipeline.FIXTURES.resolve("flows"))) {
      return files.filter(f -> f.toString().endsWith(".pcap")).sorted().toList();
    }
  }

  /** flows/akvorado/sflow/data-1140.pcap → akvorado__sflow__data-1140 */
  private static String oracleName(Path pcap) {
    String relative = FlowPipeline.FIXTURES.resolve("flows").relativize(pcap).toString();
    return relative.substring(0, relative.length() - ".pcap".length()).replace("/", "__");
  }

  private static boolean onPath(String tool) {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }
}
