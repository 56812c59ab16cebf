package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ingest.Topics;
import com.google.protobuf.ByteString;
import io.sluice.l7.bench.BenchPackets;
import io.sluice.net.IpAddresses;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import io.sluice.testing.FlinkRest;
import io.sluice.testing.HostileInputs;
import io.sluice.wire.SocketEvent;
import io.sluice.wire.SocketEventKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 21, item 3, through the real unbounded L7Job: a flood of DNS queries that are never answered (32 client
 * sockets × 1,500 queries with long names, about 8.6 MB if all were kept) leaves at most the job's
 * {@code dns-pending-bytes} in the join operator's checkpoints. The queries given up early are counted and land as
 * timeout rows. Event time is held still (a long {@code silence-ms}; the queries within 0.05 s of capture time and
 * one more per socket 5 s later), so nothing times out on its own while the state is measured. State sizes come from Flink's checkpoint statistics.
 */
class L7JobDnsPendingBoundTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final int SOCKETS = 32;
  static final int QUERIES = 1_500;
  static final long BUDGET = 2L << 20;
  static final String NAME = "a-rather-long-label-to-make-each-query-costly.subdomain.example.com";

  @Test
  void unansweredQueriesStayWithinTheJobsByteBudget(@TempDir Path dir) throws Exception {
    List<byte[]> packets = new ArrayList<>(SOCKETS * QUERIES);
    for (int i = 0; i < QUERIES; i++) {
      for (int s = 0; s < SOCKETS; s++) {
        packets.add(BenchPackets.udp4(0x0A000001 + s, 0x08080808, 40_000 + s, 53, BenchPackets.dns(i, i + "." + NAME, false)));
      }
    }
    // One more query per socket 5 s later in capture time: the watermark (1 s behind the latest capture time) then
    // passes every earlier query, so the join takes them all, yet stays 5 s short of their 10 s timeout.
    List<byte[]> late = new ArrayList<>(SOCKETS);
    for (int s = 0; s < SOCKETS; s++) {
      late.add(BenchPackets.udp4(0x0A000001 + s, 0x08080808, 40_000 + s, 53, BenchPackets.dns(QUERIES, QUERIES + "." + NAME, false)));
    }
    long t0 = 1_700_000_000_000_000_000L;
    HostileInputs.writePcap(dir.resolve("queries.pcap"), t0, 101, 1_000L, packets);
    HostileInputs.writePcap(dir.resolve("late.pcap"), t0 + 5_000_000_000L, 101, 1_000L, late);

    String prefix = "dnsb" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("dnsbound");
    ClickHouseHttp server = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    ClickHouseHttp db = server.withDatabase(database);
    PacketReplay.run(dir.resolve("queries.pcap"), kafka, prefix + Topics.PACKETS_RAW, "dnsbound", 0);
    PacketReplay.run(dir.resolve("late.pcap"), kafka, prefix + Topics.PACKETS_RAW, "dnsbound", 0);
    lateSocketEventOnEveryPartition(kafka, prefix + Topics.SOCKETS_RAW, t0 + 5_000_000_000L);

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    L7Job.build(env, Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(), "database", database,
        "checkpoint-ms", "500", "topic-prefix", prefix, "group", "test-" + prefix, "silence-ms", "600000",
        "dns-pending-bytes", Long.toString(Long.getLong("sluice.jobDnsPendingBytes", BUDGET)))); // the override shows the test fail
    // The bound below is the state's own bytes: Flink's statistics give a snapshot's size as written.
    env.getConfig().setUseSnapshotCompression(false);
    JobClient job = env.executeAsync("l7job-dns-bound");
    try {
      FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration(), job.getJobID().toString());
      String join = rest.vertex("join dns/http");
      long total = (long) SOCKETS * QUERIES;
      assertTrue(await(120, () -> rest.gauge(join, "sluice.l7_dns_queries") == total),
          "the job parsed every query: " + rest.gauge(join, "sluice.l7_dns_queries"));
      long parsedAt = rest.latestCheckpoint();
      assertTrue(await(60, () -> rest.latestCheckpoint() > parsedAt + 1));
      long held = rest.stateSize(join);
      long pending = rest.gauge(join, "sluice.dns_pending_bytes");
      long givenUp = rest.gauge(join, "sluice.l7_problem_dns_pending_table_full");
      System.out.printf("L7Job DNS bound: %,d unanswered queries on %d sockets, budget %,d bytes: %,d bytes pending,"
          + " %,d bytes in the join checkpoint, %,d queries given up early%n", total, SOCKETS, BUDGET, pending, held, givenUp);

      assertTrue(pending <= BUDGET, "pending bytes " + pending);
      assertTrue(pending > BUDGET / 2, "the budget is used: " + pending);
      assertTrue(held <= BUDGET + SOCKETS * 4_096L + (1L << 20), "join state " + held + " bytes for a budget of " + BUDGET);
      assertTrue(givenUp > total / 2, "queries given up early: " + givenUp);
      // Each query given up is a timeout row at once; none timed out on its own (event time stood still).
      assertTrue(await(120, () -> timeouts(db) == givenUp), "timeout rows " + timeouts(db) + " of " + givenUp);
      assertEquals(0, rest.gauge(join, "sluice.l7_dns_pairs"));
    } finally {
      job.cancel().get();
    }
  }

  /**
   * The sockets topic's partitions would otherwise never have had a record: with the long silence-ms they would hold
   * the join's watermark for 10 minutes.
   */
  private static void lateSocketEventOnEveryPartition(String kafka, String topic, long eventNs) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      int partitions = producer.partitionsFor(topic).size();
      for (int p = 0; p < partitions; p++) {
        SocketEvent e = SocketEvent.newBuilder().setEventNs(eventNs).setNode("dnsbound").setKind(SocketEventKind.STATE_CHANGE)
            .setPid(1).setPidTrusted(true).setComm("other").setProtocol(17).setNewState(1)
            .setSrcAddr(ByteString.copyFrom(IpAddresses.mapped(new byte[] {10, 99, 0, 1}))).setSrcPort(1000 + p)
            .setDstAddr(ByteString.copyFrom(IpAddresses.mapped(new byte[] {10, 99, 0, 2}))).setDstPort(2000).build();
        producer.send(new ProducerRecord<>(topic, p, null, e.toByteArray())).get();
      }
    }
  }

  private static long timeouts(ClickHouseHttp db) {
    return Long.parseLong(db.execute("SELECT count() FROM dns WHERE node = 'dnsbound' AND status = 'timeout'").trim());
  }

  private static boolean await(int seconds, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    do {
      if (condition.call()) {
        return true;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return condition.call();
  }
}
