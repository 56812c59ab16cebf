package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.jobs.l7.L7Job;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.Migrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on the real kernel: dig and curl in the client namespace (in the lab's child cgroup), unbound and
 * nginx in the server namespace, the loader attached in the client namespace producing to a real Kafka broker,
 * then the L7Job (local Flink, bounded) into a real ClickHouse. The dns and http rows must be exactly the requests
 * made, each naming the tool that made it: its pid, its comm, its cgroup.
 */
class L7ProcessTest {
  static final int DIGS = 4;
  static final int CURLS = 4;

  @BeforeAll
  static void kernelHasBpf() {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
  }

  @Test
  void dnsAndHttpRowsNameDigAndCurlWithTheirCgroup() throws Exception {
    String prefix = "p" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    var settings = TestStack.settings();
    ClickHouseService clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    try (NetLab lab = new NetLab()) {
      String database = "l7proc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      new Migrator(new ClickHouseHttp(settings.clickhouseUrl(), null), database, TestStack.repoRoot().resolve("sql"),
          line -> {}).migrate();
      LabServers.start(lab);
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withKafka(TestKafka.bootstrap())
          .withTopicPrefix(prefix).withSnapLen(512).withMetricsPort(null).withStateDir(state);
      List<String> digPids = new ArrayList<>();
      List<String> curlPids = new ArrayList<>();
      try (Loader loader = Loader.start(config, null)) {
        for (int i = 0; i < DIGS; i++) {
          // The shell prints its pid, then becomes dig: the pid the rows must name.
          String[] out = lab.exec(lab.client, true, "echo $$; exec dig +short +tries=1 +time=10 @" + lab.serverIp + " "
              + LabServers.NAME + " A").trim().split("\n");
          assertEquals(lab.serverIp, out[1].trim());
          digPids.add(out[0].trim());
        }
        for (int i = 0; i < CURLS; i++) {
          String[] out = lab.exec(lab.client, true, "echo $$; exec curl -sf -m 20 http://" + lab.serverIp + "/path-" + i)
              .trim().split("\n");
          assertEquals("hello from sluice", out[1].trim());
          curlPids.add(out[0].trim());
        }
        CaptureTest.waitFor(() -> loader.metrics().sent() >= 2L * DIGS + 4L * CURLS + DIGS + CURLS, 10_000);
      }

      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
      L7Job.build(env, Map.of("kafka", TestKafka.bootstrap(), "clickhouse", settings.clickhouseUrl(), "database",
          database, "checkpoint-ms", "500", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix));
      env.execute("l7-process-test");

      ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), database);
      String node = " WHERE node = '" + config.node() + "'";
      String cgroup = Long.toString(lab.cgroupId());
      List<List<String>> dns = db.query("SELECT qname, qtype, rcode, status, answer_count, server_port, comm, pid,"
          + " cgroup_id FROM dns" + node + " ORDER BY time_ns").rows();
      assertEquals(DIGS, dns.size(), "one row per dig: " + dns);
      for (int i = 0; i < DIGS; i++) {
        assertEquals(List.of(LabServers.NAME, "1", "0", "answered", "1", "53", "dig", digPids.get(i), cgroup),
            dns.get(i), "dns row " + i);
      }
      List<List<String>> http = db.query("SELECT method, path, status_code, status, server_port, comm, pid, cgroup_id"
          + " FROM http" + node + " ORDER BY time_ns").rows();
      assertEquals(CURLS, http.size(), "one row per curl: " + http);
      for (int i = 0; i < CURLS; i++) {
        assertEquals(List.of("GET", "/path-" + i, "200", "answered", "80", "curl", curlPids.get(i), cgroup),
            http.get(i), "http row " + i);
      }
      assertTrue(digPids.stream().distinct().count() == DIGS, "four processes: " + digPids);
    } finally {
      TestStack.stopAndDelete(settings, clickhouse);
      NetLab.sh("rm -rf " + state);
    }
  }
}
