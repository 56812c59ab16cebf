package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.l7.L7Problem;
import io.sluice.ingest.Topics;
import io.sluice.l7.L7Summary;
import io.sluice.l7.bench.BenchPackets;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import io.sluice.testing.HostileInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The UNBOUNDED L7Job (as deployed) started on a backlog, as after an outage: {@link #SPARSE} DNS exchanges on as
 * many client sockets, 2 s of capture time apart, spread by their keys over the packets partitions, and between them
 * 1,000 packets a time of one busy DNS conversation, all in its one partition; 64 packets a record, as the loader
 * sends them. The consumers fetch one record batch per partition at a time and take 100 ms a poll ({@link SlowPolls}),
 * so the busy partition's capture time advances far more slowly than the others'. Event time is the slowest
 * partition's: without alignment the sparse conversations are read long before the watermark can close them, and
 * past {@code max-conversations} ({@link #CAP}, 12 per subtask) their packets are refused ({@code
 * conversation_limit}). With alignment, a paused partition must not look
 * silent either, or its unread packets come late. Every exchange must land, with nothing refused; the last ones only
 * once the backlog is read and the partitions are silent (no more packets come), so the test also shows silence
 * after traffic. No packet may come late either: the consumers' first records come seconds after the job starts, a
 * different time for each partition, and a partition still waiting for its first must not be passed by the others
 * ({@link CaptureWatermarks#liveAligned}).
 */
class L7JobCatchUpTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final int SPARSE = 48;
  static final int BUSY_PER_GAP = 1000;
  static final String CAP = "24";
  private static final long STEP_NS = 2_000_000L;
  private static final long GIVE_UP_MS = 300_000;
  /** Well within {@link CaptureWatermarks#MAX_LAG_WAIT_MS} with the consumers' own start (2-6 s here). */
  static final long FIRST_FETCH_STALL_MS = 3_000;

  @Test
  void aLiveJobCatchingUpABacklogRefusesNothingAndLosesNothing(@TempDir Path dir) throws Exception {
    catchUp(dir, SlowPolls.class.getName(), Map.of());
  }

  /**
   * As above, with the first records of the consumer that reads the busy partition held {@link #FIRST_FETCH_STALL_MS}
   * more, as a starved fetcher on a busy machine: the other subtask's partitions, sparse exchanges only, have their
   * records seconds earlier. They must neither pass the held partitions (late packets) nor read on meanwhile with
   * nothing to close their conversations (refused by the cap).
   */
  @Test
  void aConsumerWhoseFirstFetchIsSlowIsWaitedForWithoutFillingTheJoin(@TempDir Path dir) throws Exception {
    catchUp(dir, SlowPolls.class.getName() + "," + StallFirstFetch.class.getName(),
        Map.of(StallFirstFetch.STALL_MS_KEY, Long.toString(FIRST_FETCH_STALL_MS)));
  }

  /** {@code consumer}: further consumer settings; the stalled partition, if any, is set here to the busy one. */
  private static void catchUp(Path dir, String interceptors, Map<String, String> consumer) throws Exception {
    String prefix = "l7c" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("l7catchup");
    ClickHouseHttp server = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    ClickHouseHttp db = server.withDatabase(database);

    // The backlog: captured over the last minutes, in Kafka before the job starts. One capture per gap, each sent by
    // its own producer, so that every sparse exchange is a record batch of its own.
    long t0Ns = (System.currentTimeMillis() - 600_000L) * 1_000_000L;
    long packets = 0;
    int busyId = 0;
    for (int gap = 0; gap < SPARSE; gap++) {
      List<byte[]> frames = new ArrayList<>();
      for (int i = 0; i < BUSY_PER_GAP; i += 2) {
        if (i == BUSY_PER_GAP / 2) {
          String name = "s" + gap + ".catchup.example.com";
          frames.add(BenchPackets.udp4(0x0A010000 + gap, 0x08080808, 41_000 + gap, 53, BenchPackets.dns(gap, name, false)));
          frames.add(BenchPackets.udp4(0x08080808, 0x0A010000 + gap, 53, 41_000 + gap, BenchPackets.dns(gap, name, true)));
        }
        int id = busyId++ % 60_000;
        frames.add(BenchPackets.udp4(0x0A000001, 0x08080808, 40_000, 53, BenchPackets.dns(id, "busy.example.com", false)));
        frames.add(BenchPackets.udp4(0x08080808, 0x0A000001, 53, 40_000, BenchPackets.dns(id, "busy.example.com", true)));
      }
      Path capture = dir.resolve("gap" + gap + ".pcap");
      HostileInputs.writePcap(capture, t0Ns + (long) gap * frames.size() * STEP_NS, 101, STEP_NS, frames);
      packets += PacketReplay.run(capture, kafka, prefix + Topics.PACKETS_RAW, "backlog", 0, 0, 64).packets();
    }
    long expected = SPARSE + (long) SPARSE * BUSY_PER_GAP / 2;
    Map<String, String> settings = consumerSettings(interceptors, consumer);
    settings.put(StallFirstFetch.PARTITION_KEY, Integer.toString(busiest(kafka, prefix + Topics.PACKETS_RAW)));

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    L7Job.build(env, Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(), "database", database,
        "checkpoint-ms", "1000", "topic-prefix", prefix, "group", "test-" + prefix, "max-conversations", CAP,
        "max-drift-ms", "1000"), stream -> stream, settings);
    JobClient job = env.executeAsync("l7job-catch-up");
    try {
      long started = System.currentTimeMillis();
      long answered = 0;
      while (System.currentTimeMillis() - started < GIVE_UP_MS) {
        answered = Long.parseLong(db.execute("SELECT count() FROM dns WHERE status = 'answered'").trim());
        if (answered >= expected) {
          break;
        }
        Thread.sleep(500);
      }
      // Stopped (not drained: no end of input flushes the join) so that the subtasks report their counts.
      L7Summary total = new L7Summary();
      job.stopWithSavepoint(false, dir.resolve("savepoint").toUri().toString(), SavepointFormatType.CANONICAL).get();
      for (L7Summary s : L7Job.summaries(job.getJobExecutionResult().get()).values()) {
        total.frames += s.frames;
        s.problems.nonZero().forEach(total.problems::add);
      }
      long limited = total.problems.get(L7Problem.CONVERSATION_LIMIT);
      long late = total.problems.get(L7Problem.PACKET_LATE);
      System.out.printf("L7 catch-up (unbounded, cap %s): %d of %d packets counted, %d of %d answered rows after %d ms;"
          + " conversation_limit %d, packet_late %d%n", CAP, total.frames, packets, answered, expected,
          System.currentTimeMillis() - started, limited, late);
      assertEquals(packets, total.frames, "every packet counted once");
      assertEquals(0, limited, "packets refused by the conversation cap");
      assertEquals(0, late, "packets behind the watermark (their conversations' timeouts may have passed them)");
      assertEquals(expected, answered, "answered DNS rows");
      assertEquals(SPARSE, Long.parseLong(db.execute(
          "SELECT uniqExact(qname) FROM dns WHERE status = 'answered' AND qname LIKE '%.catchup.example.com'").trim()));
    } finally {
      if (!job.getJobStatus().get().isTerminalState()) {
        job.cancel().get();
      }
    }
  }

  /** The partition holding the most records: the busy conversation's. */
  private static int busiest(String kafka, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
      int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(latest).all().get().entrySet().stream()
          .max(Map.Entry.comparingByValue((a, b) -> Long.compare(a.offset(), b.offset())))
          .orElseThrow().getKey().partition();
    }
  }

  private static Map<String, String> consumerSettings(String interceptors, Map<String, String> more) {
    Map<String, String> settings = new HashMap<>(more);
    settings.put("max.partition.fetch.bytes", "1");
    settings.put("interceptor.classes", interceptors);
    return settings;
  }
}
