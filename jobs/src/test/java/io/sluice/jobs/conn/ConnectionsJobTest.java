package io.sluice.jobs.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.sluice.ingest.Topics;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import io.sluice.wire.SocketEvent;
import io.sluice.wire.SocketEventKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Socket events as the loader produces them → real Kafka → ConnectionsJob in a MiniCluster → real ClickHouse,
 * read back: bounded (every row exact, a malformed record skipped), and unbounded as deployed (the rows of closed
 * connections arrive while nothing more is sent, the watermark moving with the wall clock).
 */
class ConnectionsJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final long MS = 1_000_000L;
  static final long S = 1_000_000_000L;
  static final byte[] CLIENT = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 9, 0, 2};
  static final byte[] SERVER = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 9, 0, 1};

  /** The events of a small node: one connect of each ending, an accept, a long connection, a UDP sender. */
  static List<SocketEvent> events(String node, long t) {
    List<SocketEvent> e = new ArrayList<>();
    // 41000: curl, answered and closed with FINs
    e.add(ev(node, t, 41000, 80, 7, 2, true, 500, "curl").build());
    e.add(ev(node, t + 20 * MS, 41000, 80, 2, 1, false, 0, "swapper/0").setSrttUs(20_000).setSegsOut(2).setSegsIn(1).build());
    e.add(ev(node, t + 60 * MS, 41000, 80, 1, 4, true, 500, "curl").setSrttUs(20_500).setBytesOut(78).setBytesIn(615)
        .setSegsOut(4).setSegsIn(4).build());
    e.add(ev(node, t + 80 * MS, 41000, 80, 4, 5, false, 0, "").setSrttUs(20_500).setBytesOut(79).setBytesIn(615)
        .setSegsOut(4).setSegsIn(5).build());
    e.add(ev(node, t + 81 * MS, 41000, 80, 5, 7, false, 0, "").setSrttUs(20_500).setBytesOut(79).setBytesIn(616)
        .setSegsOut(5).setSegsIn(6).build());
    // 41001: refused
    e.add(ev(node, t + 100 * MS, 41001, 81, 7, 2, true, 501, "curl").build());
    e.add(ev(node, t + 120 * MS, 41001, 81, 2, 7, false, 0, "").setSkErr(111).setSegsOut(1).setSegsIn(1).build());
    // 41002: reset by the peer after a retransmission
    e.add(ev(node, t + 200 * MS, 41002, 80, 7, 2, true, 502, "client").build());
    e.add(ev(node, t + 220 * MS, 41002, 80, 2, 1, false, 0, "").setSrttUs(19_000).build());
    e.add(ev(node, t + 600 * MS, 41002, 80, 0, 0, false, 0, "").setKind(SocketEventKind.RETRANSMIT).setSrttUs(25_000)
        .setRetransSegs(1).build());
    e.add(ev(node, t + 700 * MS, 41002, 80, 1, 7, false, 0, "").setSkErr(104).setRetransSegs(1).setBytesOut(100).build());
    // the server's side of 41000, accepted by nginx (SERVER:80 → CLIENT:41000)
    e.add(swap(ev(node, t + 21 * MS, 80, 41000, 3, 1, false, 0, "")).build());
    e.add(swap(ev(node, t + 81 * MS, 80, 41000, 1, 8, false, 0, "")).build());
    e.add(swap(ev(node, t + 82 * MS, 80, 41000, 8, 9, true, 900, "nginx")).build());
    e.add(swap(ev(node, t + 83 * MS, 80, 41000, 9, 7, false, 0, "")).setBytesOut(615).setBytesIn(79).build());
    // 41003: long-lived (12 s with 5 s slices), data at 6 s
    e.add(ev(node, t, 41003, 5432, 7, 2, true, 503, "psql").build());
    e.add(ev(node, t + 10 * MS, 41003, 5432, 2, 1, false, 0, "").setSrttUs(10_000).build());
    e.add(ev(node, t + 6 * S, 41003, 5432, 0, 0, false, 0, "").setKind(SocketEventKind.RETRANSMIT).setSrttUs(11_000)
        .setRetransSegs(2).build());
    e.add(ev(node, t + 12 * S, 41003, 5432, 1, 4, true, 503, "psql").setSrttUs(12_000).setRetransSegs(2)
        .setBytesOut(5000).setBytesIn(7000).build());
    e.add(ev(node, t + 12 * S + MS, 41003, 5432, 4, 5, false, 0, "").setRetransSegs(2).setBytesOut(5001).setBytesIn(7000).build());
    e.add(ev(node, t + 12 * S + 2 * MS, 41003, 5432, 5, 7, false, 0, "").setRetransSegs(2).setBytesOut(5001)
        .setBytesIn(7001).build());
    // UDP: dig's socket to a resolver, two announcements
    e.add(ev(node, t + 5 * MS, 42000, 53, 7, 1, true, 600, "dig").setProtocol(17).setSegsOut(1).setBytesOut(40).build());
    e.add(ev(node, t + 11 * S, 42000, 53, 7, 1, true, 600, "dig").setProtocol(17).setSegsOut(3).setBytesOut(120).build());
    // a listener's events have no peer: no row
    e.add(ev(node, t, 80, 0, 7, 10, true, 900, "nginx").setDstAddr(ByteString.copyFrom(new byte[16])).build());
    return e;
  }

  static SocketEvent.Builder ev(String node, long ns, int sport, int dport, int from, int to, boolean trusted, int pid,
      String comm) {
    return SocketEvent.newBuilder().setNode(node).setEventNs(ns).setKind(SocketEventKind.STATE_CHANGE).setProtocol(6)
        .setOldState(from).setNewState(to).setPidTrusted(trusted).setPid(pid).setComm(comm).setCgroupId(77)
        .setNetns(4026532001L).setSrcAddr(ByteString.copyFrom(CLIENT)).setSrcPort(sport)
        .setDstAddr(ByteString.copyFrom(SERVER)).setDstPort(dport).setContainer("c0ffee").setPod("web-1")
        .setPodNamespace("shop");
  }

  static SocketEvent.Builder swap(SocketEvent.Builder b) {
    return b.setSrcAddr(ByteString.copyFrom(SERVER)).setDstAddr(ByteString.copyFrom(CLIENT));
  }

  static void produce(String topic, List<SocketEvent> events, boolean withGarbage) {
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestKafka.bootstrap(), ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
      if (withGarbage) {
        p.send(new ProducerRecord<>(topic, null, new byte[] {(byte) 0xff, 1, 2, 3}));
      }
      for (SocketEvent e : events) {
        // One partition per socket pair, as the loader's key puts them.
        p.send(new ProducerRecord<>(topic, (e.getSrcPort() + e.getDstPort() + "").getBytes(), e.toByteArray()));
      }
    }
  }

  static final String COLUMNS = "local_port, remote_port, transport, direction, final, seq, end_reason, comm, pid,"
      + " arrayStringConcat(states, '>'), retrans_segs, rtt_samples, rtt_min_us, rtt_max_us, bytes_out, bytes_in,"
      + " segs_out, segs_in, sk_err, container, pod, pod_namespace, cgroup_id, duration_ns";

  static List<String> expected() {
    return List.of(
        "80\t41000\ttcp\taccept\t1\t0\tfin\tnginx\t900\tSYN_RECV>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE\t0\t0\t0\t0\t615\t79\t0\t0\t0\tc0ffee\tweb-1\tshop\t77\t62000000",
        "41000\t80\ttcp\tconnect\t1\t0\tfin\tcurl\t500\tSYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>CLOSE\t0\t4\t20000\t20500\t79\t616\t5\t6\t0\tc0ffee\tweb-1\tshop\t77\t81000000",
        "41001\t81\ttcp\tconnect\t1\t0\trefused\tcurl\t501\tSYN_SENT>CLOSE\t0\t0\t0\t0\t0\t0\t1\t1\t111\tc0ffee\tweb-1\tshop\t77\t20000000",
        "41002\t80\ttcp\tconnect\t1\t0\trst\tclient\t502\tSYN_SENT>ESTABLISHED>CLOSE\t1\t2\t19000\t25000\t100\t0\t0\t0\t104\tc0ffee\tweb-1\tshop\t77\t500000000",
        "41003\t5432\ttcp\tconnect\t0\t0\t\tpsql\t503\tSYN_SENT>ESTABLISHED\t0\t1\t10000\t10000\t0\t0\t0\t0\t0\tc0ffee\tweb-1\tshop\t77\t5000000000",
        "41003\t5432\ttcp\tconnect\t0\t1\t\tpsql\t503\tSYN_SENT>ESTABLISHED\t2\t1\t11000\t11000\t0\t0\t0\t0\t0\tc0ffee\tweb-1\tshop\t77\t10000000000",
        "41003\t5432\ttcp\tconnect\t1\t2\tfin\tpsql\t503\tSYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>CLOSE\t0\t1\t12000\t12000\t5001\t7001\t0\t0\t0\tc0ffee\tweb-1\tshop\t77\t12002000000");
  }

  /**
   * The UDP socket's rows, opened at its first send (5 ms): a row per 5 s slice while it lasts. Unbounded it ends
   * 20 s after its last announcement (11 s), idle; bounded, the input ends with it open.
   */
  static List<String> udp(boolean bounded) {
    List<String> rows = new ArrayList<>();
    long[] sends = {1, 0, 3, 0, 0, 0, 0};
    int n = bounded ? 3 : 7;
    for (int i = 0; i < n; i++) {
      boolean last = i == n - 1;
      long duration = last ? 10_995_000_000L : (i + 1) * 5_000_000_000L;
      rows.add("42000\t53\tudp\tsend\t" + (last ? 1 : 0) + "\t" + i + "\t" + (last ? (bounded ? "open" : "idle") : "")
          + "\tdig\t600\t\t0\t0\t0\t0\t" + sends[i] * 40 + "\t0\t" + sends[i] + "\t0\t0\tc0ffee\tweb-1\tshop\t77\t"
          + duration);
    }
    return rows;
  }

  static List<String> expected(boolean bounded) {
    List<String> all = new ArrayList<>(expected());
    all.addAll(udp(bounded));
    return all;
  }

  static List<String> stored(ClickHouseHttp db, String node) {
    return db.query("SELECT " + COLUMNS + " FROM connections WHERE node = '" + node
        + "' ORDER BY local_port, seq").rows().stream().map(r -> String.join("\t", r)).toList();
  }

  static ClickHouseHttp database(String name) throws Exception {
    String database = TestClickHouse.newDatabase(name);
    ClickHouseHttp server = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    return server.withDatabase(database);
  }

  @Test
  void boundedRunGivesEveryLifetimeAndSliceOnce() throws Exception {
    String prefix = "conn" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    ClickHouseHttp db = database("connjob");
    long t = 1_700_000_000_000_000_000L;
    produce(prefix + Topics.SOCKETS_RAW, events("n1", t), true);

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    ConnectionsJob.build(env, Map.of("kafka", TestKafka.bootstrap(), "clickhouse", TestClickHouse.url(), "database",
        db.database(), "checkpoint-ms", "500", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix,
        "slice-s", "5", "udp-idle-s", "20"));
    env.execute("connections-bounded");
    assertEquals(expected(true), stored(db, "n1"));
  }

  @Test
  void unboundedRowsArriveDuringSilence() throws Exception {
    String prefix = "connu" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    ClickHouseHttp db = database("connjobu");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    ConnectionsJob.build(env, Map.of("kafka", TestKafka.bootstrap(), "clickhouse", TestClickHouse.url(), "database",
        db.database(), "checkpoint-ms", "1000", "topic-prefix", prefix, "group", "test-" + prefix,
        "slice-s", "5", "udp-idle-s", "20"));
    JobClient job = env.executeAsync("connections-unbounded");
    try {
      Thread.sleep(3000);  // the source is up
      // As if happening now: the last event (the UDP sender's second) 11 s from now, so shift back 12 s.
      long t = System.currentTimeMillis() * MS - 12 * S;
      produce(prefix + Topics.SOCKETS_RAW, events("n2", t), false);
      long sent = System.currentTimeMillis();
      List<String> stored = List.of();
      while (System.currentTimeMillis() - sent < 90_000 && stored.size() < expected(false).size()) {
        Thread.sleep(200);
        stored = stored(db, "n2");
      }
      System.out.printf("connections silence: %d rows in ClickHouse %d ms after the events were sent%n", stored.size(),
          System.currentTimeMillis() - sent);
      assertEquals(expected(false), stored);
    } finally {
      job.cancel().get();
    }
  }
}
