package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ingest.Topics;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.l7.DnsRow;
import io.sluice.l7.Fixtures;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import io.sluice.l7.RowStatus;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The L7Job as deployed: unbounded (no end of input to flush it), packets replayed into Kafka as if captured now,
 * then silence. Every exchange answered in the captures must reach ClickHouse while nothing more arrives. Printed:
 * the longest time from a response's capture (its shifted capture time) to its row being readable in ClickHouse
 * (the bound is the checkpoint interval + 5 s; no timed assertion here, the machine is shared). Before the
 * wall-clock watermark (CaptureWatermarks) these rows never came.
 */
class L7JobSilenceTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static final long CHECKPOINT_MS = 1000;
  private static final long GIVE_UP_MS = 90_000;

  @Test
  void answeredExchangesLandDuringSilence() throws Exception {
    List<Path> captures = List.of(Fixtures.root().resolve("l7/zeek/http_get.pcap"),
        Fixtures.root().resolve("l7/pktvisor/dns_ipv4_udp.pcap"), Fixtures.root().resolve("l7/zeek/http_pipelined-requests.pcap"));
    String prefix = "l7s" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("l7silence");
    ClickHouseHttp server = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    ClickHouseHttp db = server.withDatabase(database);

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    L7Job.build(env, Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(), "database", database,
        "checkpoint-ms", Long.toString(CHECKPOINT_MS), "topic-prefix", prefix, "group", "test-" + prefix));
    JobClient job = env.executeAsync("l7job-silence");
    try {
      Thread.sleep(3000); // the sources are up
      List<String> expected = new ArrayList<>();
      for (Path capture : captures) {
        long shift = System.currentTimeMillis() * 1_000_000L - firstCaptureNs(capture);
        expected.addAll(answered(capture, shift));
        PacketReplay.run(capture, kafka, prefix + Topics.PACKETS_RAW, L7Run.node(capture), 0, shift);
      }
      long lastPacketMs = System.currentTimeMillis();
      expected.sort(null);
      List<String> stored = List.of();
      Map<String, Long> firstSeenMs = new java.util.HashMap<>();
      while (System.currentTimeMillis() - lastPacketMs < GIVE_UP_MS) {
        stored = stored(db, captures);
        long now = System.currentTimeMillis();
        stored.forEach(r -> firstSeenMs.putIfAbsent(r, now));
        if (stored.size() >= expected.size()) {
          break;
        }
        Thread.sleep(100);
      }
      long waitedMs = System.currentTimeMillis() - lastPacketMs;
      long worstMs = firstSeenMs.entrySet().stream()
          .mapToLong(e -> e.getValue() - Long.parseLong(e.getKey().substring(e.getKey().lastIndexOf(' ') + 1)) / 1_000_000L)
          .max().orElse(-1);
      System.out.printf("L7 silence: %d answered rows in ClickHouse %d ms after the last packet was sent; at most %d ms"
          + " from a response's capture to its row (checkpoint %d ms)%n", stored.size(), waitedMs, worstMs, CHECKPOINT_MS);
      assertEquals(expected, stored);
      assertTrue(waitedMs < GIVE_UP_MS);
    } finally {
      job.cancel().get();
    }
  }

  /** The offline engine's answered rows of the capture, its times moved by {@code shiftNs}. */
  private static List<String> answered(Path capture, long shiftNs) throws Exception {
    List<String> rows = new ArrayList<>();
    L7Replay.run(capture, L7Config.defaults(), new L7Sink() {
      @Override
      public void dns(DnsRow r) {
        if (r.status().equals(RowStatus.ANSWERED)) {
          rows.add(L7Run.node(capture) + " dns " + r.id() + " " + r.rcode() + " " + r.latencyNs() + " " + (r.responseTimeNs() + shiftNs));
        }
      }

      @Override
      public void http(HttpRow r) {
        if (r.status().equals(RowStatus.ANSWERED)) {
          rows.add(L7Run.node(capture) + " http " + r.path() + " " + r.statusCode() + " " + r.latencyNs() + " "
              + (r.responseTimeNs() + shiftNs));
        }
      }
    });
    return rows;
  }

  private static List<String> stored(ClickHouseHttp db, List<Path> captures) {
    List<String> rows = new ArrayList<>();
    for (Path capture : captures) {
      String node = L7Run.node(capture);
      for (DnsRow r : StoredRows.dns(db, node)) {
        if (r.status().equals(RowStatus.ANSWERED)) {
          rows.add(node + " dns " + r.id() + " " + r.rcode() + " " + r.latencyNs() + " " + r.responseTimeNs());
        }
      }
      for (HttpRow r : StoredRows.http(db, node)) {
        if (r.status().equals(RowStatus.ANSWERED)) {
          rows.add(node + " http " + r.path() + " " + r.statusCode() + " " + r.latencyNs() + " " + r.responseTimeNs());
        }
      }
    }
    rows.sort(null);
    return rows;
  }

  private static long firstCaptureNs(Path capture) throws Exception {
    try (CaptureReader reader = CaptureReader.open(capture)) {
      return reader.readNext().timestampNs();
    }
  }
}
