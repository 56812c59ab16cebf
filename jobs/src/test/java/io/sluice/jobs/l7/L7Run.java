package io.sluice.jobs.l7;

import io.sluice.ingest.Topics;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.l7.Fixtures;
import io.sluice.l7.L7Summary;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import io.sluice.testing.RestartingEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Captures replayed into a real Kafka topic (one node per capture, named after the file), the L7Job run bounded in
 * the test's MiniCluster, rows in a fresh ClickHouse database: what the end-to-end tests compare with the oracles.
 */
final class L7Run {
  final ClickHouseHttp db;
  final Map<String, L7Summary> summaries;
  final long packets;

  private L7Run(ClickHouseHttp db, Map<String, L7Summary> summaries, long packets) {
    this.db = db;
    this.summaries = summaries;
    this.packets = packets;
  }

  static String node(Path capture) {
    return Fixtures.root().resolve("l7").relativize(capture).toString();
  }

  static L7Run of(List<Path> captures, UnaryOperator<DataStream<CapturedFrame>> tap) throws Exception {
    return of(captures, tap, 1);
  }

  /** packetsPerRecord above 1: the captures go to Kafka as CapturedPacketBatches, as the eBPF loader sends them. */
  static L7Run of(List<Path> captures, UnaryOperator<DataStream<CapturedFrame>> tap, int packetsPerRecord) throws Exception {
    return of(captures, tap, packetsPerRecord, Map.of());
  }

  /** As above, with further settings for the job's Kafka consumers. */
  static L7Run of(List<Path> captures, UnaryOperator<DataStream<CapturedFrame>> tap, int packetsPerRecord,
      Map<String, String> consumer) throws Exception {
    return of(captures, tap, packetsPerRecord, consumer, Map.of());
  }

  /** As above, with further L7Job options. */
  static L7Run of(List<Path> captures, UnaryOperator<DataStream<CapturedFrame>> tap, int packetsPerRecord,
      Map<String, String> consumer, Map<String, String> jobOptions) throws Exception {
    String prefix = "l7" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("l7job");
    ClickHouseHttp server = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();

    // In order of capture time, so that one capture's packets never arrive after a later capture has moved the
    // watermark past them.
    long packets = 0;
    for (Path capture : captures.stream().sorted(Comparator.comparingLong(L7Run::firstCaptureNs)).toList()) {
      packets += PacketReplay.run(capture, kafka, prefix + Topics.PACKETS_RAW, node(capture), 0, 0, packetsPerRecord).packets();
    }

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(RestartingEnvironment.restarting(3));
    env.setParallelism(2);
    Map<String, String> options = new java.util.HashMap<>(Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(),
        "database", database, "checkpoint-ms", "200", "bounded", "true", "topic-prefix", prefix, "group",
        "test-" + prefix));
    options.putAll(jobOptions);
    L7Job.build(env, options, tap, consumer);
    JobExecutionResult result = env.execute("l7job-test");
    return new L7Run(server.withDatabase(database), L7Job.summaries(result), packets);
  }

  private static long firstCaptureNs(Path capture) {
    try (CaptureReader reader = CaptureReader.open(capture)) {
      CaptureFrame first = reader.readNext();
      return first == null ? Long.MAX_VALUE : first.timestampNs();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
