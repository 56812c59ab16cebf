package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.decode.l7.capture.LoopbackDumpcap;
import io.sluice.decode.l7.capture.Tools;
import com.google.protobuf.ByteString;
import io.sluice.ingest.Topics;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import io.sluice.wire.SocketEvent;
import io.sluice.wire.SocketEventKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 and TLS through the deployed path: real clients and servers captured on lo, replayed into real Kafka,
 * the L7Job bounded in a MiniCluster, rows read back from real ClickHouse's http and tls tables.
 */
class Http2JobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @Test
  void streamsLandInTheHttpTable(@TempDir Path dir) throws Exception {
    assumeTrue(Tools.installed("nghttpd") || Files.isExecutable(Path.of("/usr/sbin/nghttpd")), "needs nghttp2-server");
    assumeTrue(Tools.installed("nghttp") && Tools.installed("dumpcap"), "needs nghttp2-client and dumpcap");
    Tools.worldReadable(dir);
    Files.writeString(dir.resolve("a.txt"), "a\n");
    Files.write(dir.resolve("b.bin"), new byte[30_000]);
    // A gRPC-shaped call: nghttpd answers with two length-prefixed messages and adds the status trailers.
    Path grpcDocs = Files.createDirectories(dir.resolve("grpc").resolve("pkg.Store"));
    Files.write(grpcDocs.resolve("Get"), new byte[] {0, 0, 0, 0, 2, 7, 7, 0, 0, 0, 0, 1, 9});
    Files.write(dir.resolve("grpc-request.bin"), new byte[] {0, 0, 0, 0, 1, 42});
    Tools.worldReadable(dir.resolve("grpc"));
    Tools.worldReadable(grpcDocs);
    int port = Tools.freePort();
    int grpcPort = Tools.freePort();
    Process server = new ProcessBuilder("nghttpd", "--no-tls", "-d", dir.toString(), "" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("nghttpd.log").toFile()).start();
    Process grpcServer = new ProcessBuilder("nghttpd", "--no-tls", "-d", dir.resolve("grpc").toString(),
        "--trailer", "grpc-status: 5", "--trailer", "grpc-message: no%20such%20key", "" + grpcPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("nghttpd-grpc.log").toFile()).start();
    Path capture;
    try {
      Tools.waitForPort(port, server);
      Tools.waitForPort(grpcPort, grpcServer);
      try (LoopbackDumpcap cap = LoopbackDumpcap.start(dir, "h2job", port, grpcPort)) {
        String base = "http://127.0.0.1:" + port;
        Tools.run(List.of("nghttp", "-n", base + "/a.txt", base + "/b.bin", base + "/none"));
        Tools.run(List.of("nghttp", "-n", "-H", "content-type: application/grpc", "-H", "grpc-timeout: 3S",
            "-d", dir.resolve("grpc-request.bin").toString(), "http://127.0.0.1:" + grpcPort + "/pkg.Store/Get"));
        capture = cap.stop();
      }
    } finally {
      server.destroy();
      server.waitFor();
      grpcServer.destroy();
      grpcServer.waitFor();
    }

    ClickHouseHttp db = runJob(capture, "h2node", List.of());
    List<String> columns = new ArrayList<>();
    for (List<String> r : db.query("DESCRIBE TABLE http").rows()) {
      columns.add(r.get(0));
    }
    List<String> expectedColumns = new ArrayList<>(io.sluice.store.rows.HttpRowEncoder.COLUMNS);
    expectedColumns.add("ingest_batch");
    assertEquals(expectedColumns, columns, "the encoder writes the table's columns in order");
    List<String> rows = new ArrayList<>();
    for (List<String> r : db.query("SELECT version, method, path, status_code, status,"
        + " latency_ns > 0, if(path = '/none', 0, response_body_size), stream_id, scheme,"
        + " response_end_ns >= response_time_ns AND response_time_ns > 0, error_code, pushed, grpc, grpc_service,"
        + " grpc_method, grpc_status, grpc_message, grpc_request_messages, grpc_response_messages, grpc_timeout_ns"
        + " FROM http WHERE node = 'h2node' ORDER BY path").rows()) {
      rows.add(String.join(" ", r));
    }
    assertEquals(List.of("HTTP/2 GET /a.txt 200 answered 1 2 13 http 1 0 0 0   -1  0 0 0",
        "HTTP/2 GET /b.bin 200 answered 1 30000 15 http 1 0 0 0   -1  0 0 0",
        "HTTP/2 GET /none 404 answered 1 0 17 http 1 0 0 0   -1  0 0 0",
        "HTTP/2 POST /pkg.Store/Get 200 answered 1 13 13 http 1 0 0 1 pkg.Store Get 5 no such key 1 2 3000000000"),
        rows);
  }

  /** TLS handshakes (openssl s_server and s_client) through the same path into the tls table. */
  @Test
  void handshakesLandInTheTlsTable(@TempDir Path dir) throws Exception {
    assumeTrue(Tools.installed("openssl") && Tools.installed("dumpcap"), "needs openssl and dumpcap");
    Path key = dir.resolve("key.pem");
    Path cert = dir.resolve("cert.pem");
    Tools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
        "-out", cert.toString(), "-days", "1", "-subj", "/CN=a.test"));
    int port = Tools.freePort();
    Process server = new ProcessBuilder("openssl", "s_server", "-accept", "" + port, "-key", key.toString(),
        "-cert", cert.toString(), "-alpn", "h2,http/1.1", "-www").redirectErrorStream(true)
        .redirectOutput(dir.resolve("s_server.log").toFile()).start();
    Path capture;
    try {
      Tools.waitForPort(port, server);
      Thread.sleep(200); // the probe connection above is not a handshake; let s_server drop it
      try (LoopbackDumpcap cap = LoopbackDumpcap.start(dir, "tlsjob", port)) {
        for (String args : List.of("-servername a.test -alpn h2,http/1.1 -tls1_3",
            "-servername b.test -alpn http/1.1 -tls1_2")) {
          Tools.run(List.of("sh", "-c", "echo Q | openssl s_client -connect 127.0.0.1:" + port + " " + args
              + " >/dev/null 2>&1; true"));
        }
        capture = cap.stop();
      }
    } finally {
      server.destroy();
      server.waitFor();
    }
    ClickHouseHttp db = runJob(capture, "tlsnode", clientSockets(capture, "tlsnode"));
    List<String> columns = new ArrayList<>();
    for (List<String> r : db.query("DESCRIBE TABLE tls").rows()) {
      columns.add(r.get(0));
    }
    List<String> expectedColumns = new ArrayList<>(io.sluice.store.rows.TlsRowEncoder.COLUMNS);
    expectedColumns.add("ingest_batch");
    assertEquals(expectedColumns, columns, "the encoder writes the table's columns in order");
    List<String> rows = new ArrayList<>();
    for (List<String> r : db.query("SELECT sni, version, alpn, arrayStringConcat(alpn_offered, ','), status,"
        + " handshake_ns > 0, length(ja3), substring(ja4, 1, 4), length(cipher_suites) > 0, pid, comm, container,"
        + " pod, pod_namespace, cgroup_id FROM tls WHERE node = 'tlsnode' ORDER BY sni").rows()) {
      rows.add(String.join(" ", r));
    }
    String client = "4321 openssl c0ffee client-7f9c shop 55";
    assertEquals(List.of("a.test TLS 1.3  h2,http/1.1 ok 1 32 t13d 1 " + client,
        "b.test TLS 1.2 http/1.1 http/1.1 ok 1 32 t12d 1 " + client), rows);
  }

  /**
   * The loader's socket event for each s_client connect (SYN_SENT, 1 ms before its SYN in the capture), naming the
   * client's process, container and pod as the loader does with the Kubernetes downward information.
   */
  private static List<SocketEvent> clientSockets(Path capture, String node) throws Exception {
    byte[] loopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
    List<SocketEvent> events = new ArrayList<>();
    for (String line : Tools.run(List.of("tshark", "-r", capture.toString(), "-Y",
        "tcp.flags.syn == 1 && tcp.flags.ack == 0", "-T", "fields", "-e", "frame.time_epoch", "-e", "tcp.srcport",
        "-e", "tcp.dstport")).strip().split("\n")) {
      String[] f = line.split("\t");
      long synNs = new java.math.BigDecimal(f[0]).movePointRight(9).longValueExact();
      events.add(SocketEvent.newBuilder().setNode(node).setEventNs(synNs - 1_000_000L)
          .setKind(SocketEventKind.STATE_CHANGE).setProtocol(6).setOldState(7).setNewState(2).setPidTrusted(true)
          .setPid(4321).setComm("openssl").setCgroupId(55).setContainer("c0ffee").setPod("client-7f9c")
          .setPodNamespace("shop").setNetns(4026531840L).setSrcAddr(ByteString.copyFrom(loopback))
          .setSrcPort(Integer.parseInt(f[1])).setDstAddr(ByteString.copyFrom(loopback))
          .setDstPort(Integer.parseInt(f[2])).build());
    }
    assertEquals(2, events.size(), "one connect per s_client run");
    return events;
  }

  /** Replays the capture into Kafka, runs the L7Job bounded, returns the database it wrote. */
  private static ClickHouseHttp runJob(Path capture, String node, List<SocketEvent> sockets) throws Exception {
    String prefix = "h2" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("h2job");
    ClickHouseHttp db = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(db, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    PacketReplay.run(capture, kafka, prefix + Topics.PACKETS_RAW, node, 0, 0, 1);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
      for (SocketEvent e : sockets) {
        p.send(new ProducerRecord<>(prefix + Topics.SOCKETS_RAW, null, e.toByteArray()));
      }
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    L7Job.build(env, Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(), "database", database,
        "checkpoint-ms", "200", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix));
    env.execute("h2-tls-job-test");
    return db.withDatabase(database);
  }
}
