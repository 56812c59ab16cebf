package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.stack.LocalStack;
import io.sluice.stack.Ports;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * `sluice demo` on free ports: every demo router lands with the sampling rate it announced (sFlow in its samples,
 * NetFlow v9 and IPFIX in options data) and estimates that are sampled × rate, the sFlow agents' counter samples
 * land, as root with BTF the DNS/HTTP rows come live from eBPF (the loader in the client namespace) with dig's and
 * curl's process, a second `demo` reuses what runs, and `sluice down` stops every process the demo started and deletes
 * its namespaces. The bare-clone
 * run and the dashboards are DemoOnABareCloneTest's (deploy-check).
 */
class DemoTest {
  private StackSettings settings;
  private List<String> stack;

  @AfterEach
  void down() throws Exception {
    if (settings != null) {
      CliRun.of(args("down"));
      for (long pid : demoPids()) { // even when `down` is what failed
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      new LocalStack(settings).down();
      TestStack.deleteTree(settings.workDir()); // every process stopped
    }
  }

  private String[] args(String command, String... more) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(stack);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void everyRouterLandsWithItsOwnRateAndDownStopsTheDemosProcesses() throws Exception {
    settings = TestStack.settings();
    stack = List.of("--work-dir", settings.workDir().toString(),
        "--clickhouse-http-port", Integer.toString(settings.clickhouseHttpPort()),
        "--clickhouse-tcp-port", Integer.toString(settings.clickhouseTcpPort()),
        "--kafka-port", Integer.toString(settings.kafkaPort()),
        "--kafka-controller-port", Integer.toString(settings.kafkaControllerPort()),
        "--flink-rest-port", Integer.toString(settings.flinkRestPort()),
        "--flink-rpc-port", Integer.toString(settings.flinkRpcPort()));
    String[] ports = {"--sflow-port", Integer.toString(Ports.free()), "--netflow-port", Integer.toString(Ports.free()),
        "--ipfix-port", Integer.toString(Ports.free())};
    CliRun run = CliRun.of(args("demo", ports));
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().contains("rows from every demo source") && run.out().contains("Top talkers"), run.toString());
    run.out().lines().filter(l -> l.contains("after the command started") || l.startsWith("live DNS/HTTP"))
        .forEach(System.out::println);
    List<Long> pids = demoPids();
    boolean softflowd = run.out().contains("softflowd (pid");
    boolean live = asRootWithBtf();
    assertEquals(live, run.out().contains("live DNS/HTTP through eBPF: sluice capture (pid"),
        "as root with BTF the demo captures DNS/HTTP live: " + run);
    assertEquals((live ? 6 : 3) + (softflowd ? 2 : 0), pids.size(), "collector, routers, the live capture with unbound,"
        + " nginx and the dig/curl loop, or else the DNS/HTTP replay (and softflowd and its traffic) run in the background: " + pids);

    ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), "sluice");
    Thread.sleep(25_000); // past the first template refresh (15 s): every record since has its rate
    // Polled: on a busy machine the last 10 s of rows may still be on their way (a wrong rate would stay wrong).
    List<List<String>> rates = List.of(
        List.of("demo-ipfix-lon", "ipfix", "1000", "options"),
        List.of("demo-nfv9-ams", "netflow9", "100", "options"),
        List.of("demo-sflow-fra", "sflow5", "2048", "packet"),
        List.of("demo-sflow-par", "sflow5", "1024", "packet"));
    assertEquals(rates, TestStack.eventually(rates, () -> db.query("SELECT exporter_name, flow_type, toString(sampling_rate),"
            + " sampling_rate_source FROM flows WHERE time >= now() - 10 AND exporter_name != 'demo-softflowd'"
            + " GROUP BY exporter_name, flow_type, sampling_rate, sampling_rate_source"
            + " ORDER BY exporter_name").rows()), "each router's rate, as it announced it");
    assertEquals("0", db.scalar("SELECT count() FROM flows WHERE est_bytes != sampled_bytes * sampling_rate"
        + " AND sampling_rate_source != 'unknown'"));
    assertEquals("2", TestStack.eventually("2", () -> db.scalar("SELECT uniqExact(exporter_addr) FROM interface_counters")),
        "both sFlow agents' counters");
    if (softflowd) {
      assertEquals(List.of(List.of("ipfix", "1")), db.query("SELECT DISTINCT flow_type, toString(sampling_rate) FROM flows"
          + " WHERE exporter_name = 'demo-softflowd'").rows(), "softflowd's real traffic, unsampled");
    }
    assertEquals("0", db.scalar("SELECT count() FROM flows WHERE exporter_name = ''"), "only registered routers land");
    if (live) {
      // From the loader in the client namespace, through Kafka and the L7Job: rows with the client's process.
      List<List<String>> digRows = List.of(List.of("www.sluice.test", "0", "answered", "dig"));
      assertEquals(digRows, TestStack.eventually(digRows, () -> db.query("SELECT DISTINCT qname, toString(rcode), status, comm"
          + " FROM dns WHERE comm = 'dig' AND rcode = 0 AND status = 'answered'").rows()), "live DNS rows from dig");
      List<List<String>> curlRows = List.of(List.of("200", "curl"));
      assertEquals(curlRows, TestStack.eventually(curlRows, () -> db.query("SELECT DISTINCT toString(status_code), comm FROM http"
          + " WHERE comm = 'curl' AND status_code = 200").rows()), "live HTTP rows from curl");
      assertEquals("0", db.scalar("SELECT count() FROM dns WHERE node = '" + DEMO_REPLAY_NODE + "'"), "no replay when live");
      // The same socket events through the connections job: curl's connections to nginx, opened by curl, ended by FIN.
      String curlConnections = "SELECT count() FROM connections WHERE comm = 'curl' AND direction = 'connect'"
          + " AND final = 1 AND end_reason = 'fin' AND remote_port = 80 AND local_port != 0";
      long deadline = System.currentTimeMillis() + 60_000;
      while (db.scalar(curlConnections).equals("0") && System.currentTimeMillis() < deadline) {
        Thread.sleep(1000);
      }
      assertNotEquals("0", db.scalar(curlConnections), "live connection rows from curl");
    }
    assertFalse(db.scalar("SELECT count() FROM exporter_stats WHERE time >= now() - 60").equals("0"),
        "the unbounded FlowJob's per-second exporter stats");

    CliRun again = CliRun.of(args("demo", ports));
    assertEquals(0, again.exitCode(), again.toString());
    assertEquals(pids, demoPids(), "a second demo reuses the running processes");

    CliRun down = CliRun.of(args("down"));
    assertEquals(0, down.exitCode(), down.toString());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " stopped");
    }
    assertEquals(List.of(), demoPids());
    assertFalse(new String(new ProcessBuilder("ip", "netns", "list").start().getInputStream().readAllBytes())
        .contains("sluice-demo-" + String.format("%08x", settings.workDir().toAbsolutePath().normalize().toString().hashCode())),
        "softflowd's and live capture's namespaces are gone");
  }

  /** The node name the demo's replay uses: live capture uses this machine's. */
  private static final String DEMO_REPLAY_NODE = "demo-node";

  /** Live capture runs as root on a kernel with BTF (true on our machines and in CI). */
  private static boolean asRootWithBtf() throws Exception {
    return io.sluice.ebpf.Preflight.kernelLacksBpf() == null && Files.readAllLines(Path.of("/proc/self/status")).stream()
        .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
  }

  private List<Long> demoPids() throws Exception {
    List<Long> pids = new ArrayList<>();
    Path dir = settings.workDir().resolve("pids");
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("demo-")).sorted().toList()) {
        long pid = Long.parseLong(Files.readString(f).trim());
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          pids.add(pid);
        }
      }
    }
    return pids;
  }
}
