package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.decode.l7.capture.LoopbackTcpCapture;
import io.sluice.decode.l7.capture.Tools;
import io.sluice.ingest.Topics;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 through the deployed path: nghttp → nghttpd (cleartext, prior knowledge) captured on lo, replayed into
 * real Kafka, the L7Job bounded in a MiniCluster, rows read back from real ClickHouse's http table.
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
    int port = Tools.freePort();
    Process server = new ProcessBuilder("nghttpd", "--no-tls", "-d", dir.toString(), "" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("nghttpd.log").toFile()).start();
    Path capture;
    try {
      Tools.waitForPort(port, server);
      try (LoopbackTcpCapture cap = LoopbackTcpCapture.start(dir, "h2job", port)) {
        String base = "http://127.0.0.1:" + port;
        Tools.run(List.of("nghttp", "-n", base + "/a.txt", base + "/b.bin", base + "/none"));
        capture = cap.stop();
      }
    } finally {
      server.destroy();
      server.waitFor();
    }

    String prefix = "h2" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("h2job");
    ClickHouseHttp db = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(db, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    PacketReplay.run(capture, kafka, prefix + Topics.PACKETS_RAW, "h2node", 0, 0, 1);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    L7Job.build(env, Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(), "database", database,
        "checkpoint-ms", "200", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix));
    env.execute("h2-job-test");

    List<String> rows = new ArrayList<>();
    for (List<String> r : db.withDatabase(database).query("SELECT version, method, path, status_code, status,"
        + " latency_ns > 0, if(path = '/none', 0, response_body_size) FROM http WHERE node = 'h2node' ORDER BY path")
        .rows()) {
      rows.add(String.join(" ", r));
    }
    assertEquals(List.of("HTTP/2 GET /a.txt 200 answered 1 2", "HTTP/2 GET /b.bin 200 answered 1 30000",
        "HTTP/2 GET /none 404 answered 1 0"), rows);
  }
}
