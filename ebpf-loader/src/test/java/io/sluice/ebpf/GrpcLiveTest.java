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
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * gRPC-shaped calls on the real kernel, as deployed: nghttpd in the server namespace on gRPC's port 50051 (its
 * trailers say grpc-status 0) and 50052 (grpc-status 5, NOT_FOUND), nghttp in the client namespace posting
 * application/grpc requests over cleartext HTTP/2 (prior knowledge), the loader capturing those ports in the client
 * namespace, the L7Job unbounded (local Flink) into ClickHouse's http table.
 *
 * <p>Twice: with the loader's maximum snap ({@link LoaderConfig#MAX_SNAP}) every call is one row, whole, with its
 * grpc_status and nghttp as the client process; with the default snap (256 payload bytes) the loader's frame-aware
 * walk still keeps every header block, so every call is again one row with its names, status and process, and only
 * its message counts may be lower bounds (the row then says incomplete). About 30-90 s: two loader starts (5 s each for the
 * job's sources).
 */
class GrpcLiveTest {
  private static final long CHECKPOINT_MS = 1000;
  private static final long GIVE_UP_MS = 60_000;

  @Test
  void oneRowPerCallWithItsStatusAndProcess() throws Exception {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nghttpd")) && Files.isExecutable(Path.of("/usr/bin/nghttp")),
        "needs nghttp2-server and nghttp2-client");
    String prefix = "g" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    var settings = TestStack.settings();
    ClickHouseService clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    JobClient job = null;
    try (NetLab lab = new NetLab()) {
      String database = "grpclive_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      new Migrator(new ClickHouseHttp(settings.clickhouseUrl(), null), database, TestStack.repoRoot().resolve("sql"),
          line -> {}).migrate();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
      L7Job.build(env, Map.of("kafka", TestKafka.bootstrap(), "clickhouse", settings.clickhouseUrl(), "database",
          database, "checkpoint-ms", Long.toString(CHECKPOINT_MS), "topic-prefix", prefix, "group", "test-" + prefix));
      job = env.executeAsync("grpc-live");
      Path docs = lab.dir.resolve("grpc");
      for (String service : List.of("whole.Store", "snapped.Store")) {
        for (String method : List.of("Get", "List", "Put")) {
          Path file = docs.resolve(service).resolve(method);
          Files.createDirectories(file.getParent());
          Files.write(file, new byte[] {0, 0, 0, 0, 2, 7, 7, 0, 0, 0, 0, 1, 9}); // two length-prefixed messages
        }
      }
      Files.write(lab.dir.resolve("request.bin"), new byte[] {0, 0, 0, 0, 1, 42});
      NetLab.sh("chmod -R a+rX " + lab.dir);
      lab.daemon(lab.server, "nghttpd --no-tls -d " + docs + " --trailer \"grpc-status: 0\" -a " + lab.serverIp
          + " 50051", "nghttpd-ok.log");
      lab.daemon(lab.server, "nghttpd --no-tls -d " + docs + " --trailer \"grpc-status: 5\" --trailer"
          + " \"grpc-message: no such key\" -a " + lab.serverIp + " 50052", "nghttpd-notfound.log");
      lab.waitListening(lab.server, 50051);
      lab.waitListening(lab.server, 50052);
      LoaderConfig base = LoaderConfig.defaults().withNetns(lab.client).withKafka(TestKafka.bootstrap())
          .withTopicPrefix(prefix).withMetricsPort(null).withStateDir(state).withPorts(List.of(50051, 50052));
      ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), database);
      String node = "node = '" + base.node() + "'";

      List<List<String>> whole = calls(lab, db, node, base.withSnapLen(LoaderConfig.MAX_SNAP), "whole.Store");
      assertEquals(List.of(
          List.of("50051", "whole.Store", "Get", "0", "", "answered", "0", "nghttp", "1", "2"),
          List.of("50051", "whole.Store", "List", "0", "", "answered", "0", "nghttp", "1", "2"),
          List.of("50051", "whole.Store", "Put", "0", "", "answered", "0", "nghttp", "1", "2"),
          List.of("50052", "whole.Store", "Get", "5", "no such key", "answered", "0", "nghttp", "1", "2")), whole);

      // At the default snap the loader walks the HTTP/2 frames (ebpf-loader/README.md): every header block is kept,
      // so every call is one row with its names, status and process; DATA beyond the snap is a hole, so a row may
      // say incomplete, and then its message counts are lower bounds.
      List<List<String>> snapped = calls(lab, db, node, base, "snapped.Store");
      assertEquals(4, snapped.size(), "one row per call: " + snapped);
      for (int i = 0; i < 4; i++) {
        List<String> r = snapped.get(i);
        List<String> w = whole.get(i);
        assertEquals(w.subList(0, 6), List.of(r.get(0), r.get(1).replace("snapped.", "whole."), r.get(2), r.get(3),
            r.get(4), r.get(5)), r.toString());
        assertEquals("nghttp", r.get(7), r.toString());
        for (int count = 8; count < 10; count++) {
          if (r.get(6).equals("0")) {
            assertEquals(w.get(count), r.get(count), "a row not marked incomplete is whole: " + r);
          } else {
            assertTrue(Integer.parseInt(r.get(count)) <= Integer.parseInt(w.get(count)), r.toString());
          }
        }
      }
    } finally {
      if (job != null) {
        job.cancel().get();
      }
      TestStack.stopAndDelete(settings, clickhouse);
      NetLab.sh("rm -rf " + state);
    }
  }

  /** Three calls on one connection to 50051 and one to 50052 under the loader {@code config}; their rows. */
  private static List<List<String>> calls(NetLab lab, ClickHouseHttp db, String node, LoaderConfig config,
      String service) throws Exception {
    // a whole capture beside the loader's, for the segments printed if a walk is lost (diagnostics only)
    Path whole = lab.dir.resolve("grpc-" + System.nanoTime() + ".pcapng");
    Process dumpcap = new ProcessBuilder("ip", "netns", "exec", lab.server, "dumpcap", "-q", "-i", lab.serverVeth, "-s",
        "0", "-f", "tcp port 50051 or tcp port 50052", "-w", whole.toString()).redirectErrorStream(true)
        .redirectOutput(lab.dir.resolve("dumpcap-" + whole.getFileName() + ".log").toFile()).start();
    try (Loader loader = Loader.start(config, null)) {
      Thread.sleep(5000); // the job's sources are reading
      String url = "http://" + lab.serverIp;
      String grpc = "exec nghttp -n -H \"content-type: application/grpc\" -H \"te: trailers\" -d "
          + lab.dir.resolve("request.bin") + " ";
      lab.exec(lab.client, true, grpc + url + ":50051/" + service + "/Get " + url + ":50051/" + service + "/List "
          + url + ":50051/" + service + "/Put"); // nghttp asks for a repeated URI once
      lab.exec(lab.client, true, grpc + url + ":50052/" + service + "/Get");
      long doneMs = System.currentTimeMillis();
      String query = "SELECT toString(server_port), grpc_service, grpc_method, toString(grpc_status), grpc_message,"
          + " status, toString(incomplete), comm, toString(grpc_request_messages), toString(grpc_response_messages)"
          + " FROM http WHERE " + node + " AND version = 'HTTP/2' AND (grpc_service = '" + service + "' OR"
          + " time_ns > " + (doneMs - 30_000) * 1_000_000L + " AND grpc_service = '')"
          + " ORDER BY server_port, grpc_method, stream_id";
      List<List<String>> rows = new ArrayList<>();
      while (System.currentTimeMillis() - doneMs < GIVE_UP_MS && rows.size() < 4) {
        Thread.sleep(200);
        rows = db.query(query).rows();
      }
      Thread.sleep(2 * CHECKPOINT_MS); // a second row for a call would show here
      rows = db.query(query).rows();
      long[] counters = loader.maps().counters();
      System.out.printf("gRPC live, snap %d: %d rows %d ms after the calls; %d HTTP/2 segments walked, %s%n",
          config.snapLen(), rows.size(), System.currentTimeMillis() - doneMs, counters[6], H2WalkLog.lost(counters));
      rows.forEach(r -> System.out.println("  http " + r));
      dumpcap.destroy();
      dumpcap.waitFor();
      NetLab.sh("chmod a+r " + whole + " || true");  // dumpcap may not be there: nothing to print then
      H2WalkLog.printIfLost(counters, whole, List.of(50051, 50052));
      return rows;
    } finally {
      dumpcap.destroy();
    }
  }
}
