package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.l7.L7Problem;
import io.sluice.ingest.Topics;
import io.sluice.l7.Fixtures;
import io.sluice.l7.L7Oracle;
import io.sluice.l7.L7Summary;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import io.sluice.testing.HostileInputs;
import io.sluice.testing.RestartingEnvironment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The review's crafted 66 KB frame (3,000 nested pseudowires) replayed through Kafka into the real L7Job, run with no
 * restart allowed on 256 KB thread stacks: the job finishes, the crafted frames are counted against their node, and
 * the honest captures around them still give tshark's rows.
 */
class L7JobHostileInputSmallStackTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @Test
  void theCraftedFrameIsCountedAndTheJobGoesOn(@TempDir Path dir) throws Exception {
    Path crafted = dir.resolve("crafted.pcap");
    byte[] frame = HostileInputs.nestedPseudowires(3_000);
    HostileInputs.writePcap(crafted, 1_500_000_000_000_000_000L, Collections.nCopies(3, frame));
    Path dns = Fixtures.root().resolve("l7/pktvisor/dns_ipv4_udp.pcap");
    Path http = Fixtures.root().resolve("l7/zeek/http_get.pcap");

    String prefix = "hostile" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("l7hostile");
    ClickHouseHttp server = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    for (Path capture : List.of(dns, http)) {
      PacketReplay.run(capture, kafka, prefix + Topics.PACKETS_RAW, L7Run.node(capture), 0, 0, 1);
    }
    // Replayed on a large stack: the replay parses frames for their keys, and the point is what the job does.
    Thread replay = new Thread(null, () -> {
      try {
        PacketReplay.run(crafted, kafka, prefix + Topics.PACKETS_RAW, "crafted", 0, 0, 1);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "replay", 64 << 20);
    replay.start();
    replay.join();

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(RestartingEnvironment.restarting(0));
    env.setParallelism(2);
    L7Job.build(env, Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(), "database", database,
        "checkpoint-ms", "200", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix));
    JobExecutionResult result = env.execute("l7job-hostile");
    Map<String, L7Summary> summaries = L7Job.summaries(result);

    L7Summary bad = summaries.get("crafted");
    assertEquals(3, bad.frames);
    // Not IP as far as the parser goes (its nesting cap), or a contained fault: counted either way, no row.
    assertEquals(3, bad.framesNotIp + bad.problems.get(L7Problem.DECODER_EXCEPTION));
    ClickHouseHttp db = server.withDatabase(database);
    assertEquals(0, StoredRows.dns(db, "crafted").size() + StoredRows.http(db, "crafted").size());
    L7Oracle.checkDns(dns, StoredRows.dns(db, L7Run.node(dns)), summaries.get(L7Run.node(dns)));
    L7Oracle.checkHttp(http, StoredRows.http(db, L7Run.node(http)), summaries.get(L7Run.node(http)));
  }

  /**
   * Seeded mutations of the Ethernet frames of every L7 capture (a fifth left intact so that conversations form),
   * replayed through Kafka into the L7Job with no restart allowed: it finishes and counts every frame. Nine tenths
   * of the million of issue 21 (FlowJob takes the rest); change with -Dsluice.l7Mutations=N.
   */
  @Test
  void seededMutationsOfFixtureFramesNeverFailTheJob(@TempDir Path dir) throws Exception {
    int mutations = Integer.getInteger("sluice.l7Mutations", 900_000);
    List<byte[]> originals = new java.util.ArrayList<>();
    for (Path capture : Fixtures.l7Captures()) {
      try (io.sluice.ingest.pcap.CaptureReader reader = io.sluice.ingest.pcap.CaptureReader.open(capture)) {
        for (io.sluice.ingest.pcap.CaptureFrame f : reader) {
          if (f.linkType() == 1 && f.data().length > 0) {
            originals.add(f.data());
          }
        }
      }
    }
    java.util.Random random = new java.util.Random(21);
    List<byte[]> frames = new java.util.ArrayList<>(originals);
    for (int i = 0; i < mutations; i++) {
      byte[] base = originals.get(random.nextInt(originals.size()));
      frames.add(random.nextInt(5) == 0 ? base : HostileInputs.mutate(base, random));
    }
    Path pcap = dir.resolve("mutations.pcap");
    HostileInputs.writePcap(pcap, 1_600_000_000_000_000_000L, frames);

    String prefix = "mutl7" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("l7mutations");
    new Migrator(new ClickHouseHttp(TestClickHouse.url(), null), database, TestStack.repoRoot().resolve("sql"), line -> {})
        .migrate();
    long sent = PacketReplay.run(pcap, kafka, prefix + Topics.PACKETS_RAW, "mutations", 0, 0, 1).packets();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(RestartingEnvironment.restarting(0));
    env.setParallelism(2);
    L7Job.build(env, Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(), "database", database,
        "checkpoint-ms", "500", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix));
    L7Summary summary = L7Job.summaries(env.execute("l7job-mutations")).get("mutations");

    assertEquals(frames.size(), sent);
    assertEquals(sent, summary.frames, "every frame counted");
    System.out.printf("L7Job mutations: %,d frames (%,d drawn, four in five mutated, from %,d fixture frames), %,d problems counted,"
        + " %,d not IP, %,d dns / %,d http pairs%n", sent, mutations, originals.size(), summary.problems.total(),
        summary.framesNotIp, summary.dnsPairs, summary.httpPairs);
  }
}
