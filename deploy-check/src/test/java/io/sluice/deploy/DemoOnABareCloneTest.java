package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.deploy.Dashboards.Dashboard;
import io.sluice.deploy.GrafanaQuery.Range;
import io.sluice.deploy.GrafanaQuery.Value;
import io.sluice.stack.Ports;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * README's first command as a newcomer runs it: `git clone` of the committed HEAD into a folder with no
 * {@code ../shared} beside it, then `./sluice demo` on free ports (it builds the CLI first). Rows from every demo
 * router (and, as root, from softflowd on real traffic in a namespace), DNS and HTTP rows (as root with BTF, live from
 * eBPF with dig's and curl's process), and every dashboard panel
 * returning rows for the last 15 minutes; then `./sluice down` leaves no process of the clone and no namespace behind.
 */
class DemoOnABareCloneTest {
  private static final String NO_CONNECTIONS_JOB = "connection rows come only from live eBPF capture (root, BTF), and the"
      + " demo's loopback connections neither fail nor retransmit";
  private static final String NO_GRPC = "the demo's traffic has no gRPC (DashboardQueriesTest fills these panels)";
  /** Panels the demo may leave empty, and why. Every other panel must return rows. */
  private static final Map<String, String> MAY_BE_EMPTY = Map.ofEntries(
      Map.entry("Attributed processes only", "without live eBPF capture (not root, or no BTF) the demo's DNS/HTTP come from a"
          + " replayed capture, without socket events: no row has a process"),
      Map.entry("Decode problems by reason", "the demo routers send well-formed datagrams"),
      Map.entry("Decode problems by exporter and reason", "the demo routers send well-formed datagrams"),
      Map.entry("Exporters sending without a registration", "the demo registers every router it starts"),
      Map.entry("Connections/s by process", NO_CONNECTIONS_JOB),
      Map.entry("Failed connects by reason", NO_CONNECTIONS_JOB),
      Map.entry("Retransmission rate by destination", NO_CONNECTIONS_JOB),
      Map.entry("RTT by destination (ms)", NO_CONNECTIONS_JOB),
      Map.entry("Top talkers by process", NO_CONNECTIONS_JOB),
      Map.entry("Router flows by process", "a router's flow names a process only where live eBPF capture (root, BTF)"
          + " saw its connection: the demo's only real exporter is softflowd, on its namespace's UDP senders"),
      Map.entry("gRPC calls/s by method", NO_GRPC),
      Map.entry("gRPC status codes/s", NO_GRPC),
      Map.entry("gRPC latency p95 by method", NO_GRPC),
      Map.entry("gRPC methods", NO_GRPC));
  /** How long the panels get to fill after the command returned (DNS timeouts, for one, take a while). */
  private static final long PANELS_WAIT_MS = 120_000;
  private static final List<String> ROUTERS = List.of("demo-ipfix-lon", "demo-nfv9-ams", "demo-sflow-fra", "demo-sflow-par");

  private Path root;
  private Path clone;
  private List<String> ports;

  @AfterEach
  void cleanUp() throws Exception {
    if (clone != null && Files.isRegularFile(clone.resolve("sluice"))) {
      sluice(List.of("down"), 120); // after a failure too: never leave a stack running
    }
    if (root != null) {
      try (Stream<Path> paths = Files.walk(root)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void theDemoRunsFromABareCloneFillsEveryDashboardAndDownLeavesNothing() throws Exception {
    root = Files.createTempDirectory("sluice-clone-");
    clone = root.resolve("sluice");
    run(List.of("git", "clone", "-q", TestStack.repoRoot().toString(), clone.toString()), root, 120);
    assertFalse(Files.exists(clone.getParent().resolve("shared")), "no ../shared beside the clone");
    List<String> namespacesBefore = demoNamespaces();
    int chHttp = Ports.free();
    ports = List.of("--clickhouse-http-port", Integer.toString(chHttp), "--clickhouse-tcp-port", Integer.toString(Ports.free()),
        "--kafka-port", Integer.toString(Ports.free()), "--kafka-controller-port", Integer.toString(Ports.free()),
        "--flink-rest-port", Integer.toString(Ports.free()), "--flink-rpc-port", Integer.toString(Ports.free()));

    List<String> demo = new ArrayList<>(List.of("demo", "--sflow-port", Integer.toString(Ports.free()),
        "--netflow-port", Integer.toString(Ports.free()), "--ipfix-port", Integer.toString(Ports.free())));
    String out = sluice(demo, 900);
    assertTrue(out.contains("rows from every demo source"), out);
    out.lines().filter(l -> l.contains("after the command started") || l.startsWith("live DNS/HTTP")).forEach(System.out::println);
    assertTrue(out.contains("SELECT exporter_name") && out.contains("Flink UI") && out.contains("grafana-clickhouse-datasource"), out);

    ClickHouseHttp db = new ClickHouseHttp("http://127.0.0.1:" + chHttp, "sluice");
    List<String> exporters = new ArrayList<>(ROUTERS);
    int namespaces = (asRootWithSoftflowd() ? 1 : 0) + (liveCapture() ? 2 : 0);
    if (asRootWithSoftflowd()) {
      exporters.add("demo-softflowd");
    }
    assertEquals(namespacesBefore.size() + namespaces, demoNamespaces().size(),
        "softflowd's namespace and live capture's server and client namespaces while the demo runs");
    assertEquals(exporters, db.query("SELECT exporter_name FROM flows WHERE time >= now() - 60 GROUP BY exporter_name"
        + " ORDER BY exporter_name").rows().stream().map(r -> r.get(0)).toList(), "live rows from every exporter");
    assertEquals("0", db.scalar("SELECT count() FROM flows WHERE time >= now() - 900 AND sampling_rate_source = 'unknown'"),
        "every router's rate is known from what it sent");
    for (String table : List.of("dns", "http")) {
      assertFalse(db.scalar("SELECT count() FROM " + table + " WHERE time >= now() - 900").equals("0"), table + " has rows");
    }
    if (liveCapture()) {
      assertTrue(out.contains("live DNS/HTTP through eBPF: sluice capture (pid"), out);
      // An odd row may miss its process (seen once: one dns row of a run with no comm); none may carry another's.
      // Polled: the first rows with a process may still be on their way; a wrong process would stay wrong.
      assertEquals(List.of(List.of("dig")), TestStack.eventually(List.of(List.of("dig")), () -> db.query("SELECT DISTINCT comm"
          + " FROM dns WHERE time >= now() - 900 AND comm != ''").rows()), "live DNS rows with the client's process");
      assertEquals(List.of(List.of("curl")), TestStack.eventually(List.of(List.of("curl")), () -> db.query("SELECT DISTINCT comm"
          + " FROM http WHERE time >= now() - 900 AND comm != ''").rows()), "live HTTP rows with the client's process");
    }

    // The routers and the replay keep sending after the command returned: the panels fill over time.
    long deadline = System.currentTimeMillis() + PANELS_WAIT_MS;
    List<String> failures = emptyPanels(db);
    while (!failures.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(5000);
      failures = emptyPanels(db);
    }
    assertEquals(List.of(), failures);

    String down = sluice(List.of("down"), 120);
    assertTrue(down.contains("stopped"), down);
    assertEquals(List.of(), processesOf(clone), "no process of the clone survives `sluice down`");
    assertEquals(namespacesBefore, demoNamespaces(), "no demo network namespace left behind");
  }

  /** Every ClickHouse panel over the last 15 minutes, all variables at All: those that failed or came back empty. */
  private static List<String> emptyPanels(ClickHouseHttp db) {
    long now = System.currentTimeMillis() / 1000;
    Range last15 = new Range(now - 900, now, 1000);
    List<String> failures = new ArrayList<>();
    int panels = 0;
    for (Dashboard d : Dashboards.all()) {
      Map<String, Value> vars = allVariables(db, d, last15);
      for (JsonNode p : d.panels()) {
        for (JsonNode target : p.path("targets")) {
          if (!target.path("datasource").path("uid").asText().equals("sluice-clickhouse")) {
            continue; // the Prometheus panel: no Prometheus here
          }
          panels++;
          String sql = GrafanaQuery.expand(Dashboards.sql(target), vars, last15);
          String where = d.name() + " / " + p.path("title").asText();
          try {
            if (db.query(sql).rows().isEmpty() && !mayBeEmpty(p.path("title").asText())) {
              failures.add(where + ": no rows in the last 15 minutes\n" + sql);
            }
          } catch (ClickHouseException e) {
            failures.add(where + ": " + e.getMessage());
          }
        }
      }
    }
    assertTrue(panels > 20, "panels checked: " + panels);
    return failures;
  }

  private static Map<String, Value> allVariables(ClickHouseHttp db, Dashboard d, Range range) {
    Map<String, Value> vars = new LinkedHashMap<>();
    for (JsonNode v : d.variables()) {
      List<String> options = new ArrayList<>();
      if (v.path("type").asText().equals("custom")) {
        for (String option : v.path("query").asText().split(",")) {
          String[] textValue = option.split(" : ");
          options.add(textValue[textValue.length - 1].trim());
        }
      } else {
        db.query(GrafanaQuery.expand(v.path("query").asText(), vars, range)).rows().forEach(r -> options.add(r.get(0)));
      }
      vars.put(v.path("name").asText(), Value.all(options));
    }
    return vars;
  }

  private String sluice(List<String> args, int timeoutSeconds) throws Exception {
    List<String> command = new ArrayList<>(List.of("./sluice"));
    command.addAll(args);
    command.addAll(ports);
    return run(command, clone, timeoutSeconds);
  }

  private static String run(List<String> command, Path dir, int timeoutSeconds) throws Exception {
    Path log = Files.createTempFile("sluice-run-", ".log");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      String out = Files.readString(log);
      assertTrue(done && p.exitValue() == 0, String.join(" ", command) + (done ? " exited " + p.exitValue() : " timed out") + ":\n" + out);
      return out;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** Processes whose command line names the clone (the stack, collectors, routers and replay all do). */
  private static List<String> processesOf(Path dir) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
          if (cmdline.contains(dir.toString())) {
            found.add(p.getFileName() + ": " + cmdline);
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }

  /** The demos' network namespaces (other tests on this machine make and remove their own meanwhile). */
  private static List<String> demoNamespaces() throws Exception {
    Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out.lines().filter(l -> l.startsWith("sluice-demo-")).map(l -> l.split("\\s+")[0]).sorted().toList();
  }

  /** A panel that may be empty: the process panel only where the demo replays instead of capturing live. */
  private static boolean mayBeEmpty(String title) {
    return MAY_BE_EMPTY.containsKey(title) && !(title.equals("Attributed processes only") && liveCapture());
  }

  /** The demo captures DNS/HTTP live through eBPF as root on a kernel with BTF (true here and in CI). */
  private static boolean liveCapture() {
    try {
      return Files.exists(Path.of("/sys/kernel/btf/vmlinux")) && Files.readAllLines(Path.of("/proc/self/status")).stream()
          .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
    } catch (IOException e) {
      return false;
    }
  }

  /** The demo runs softflowd's part only as root (namespaces, veth) and with softflowd installed. */
  private static boolean asRootWithSoftflowd() throws IOException {
    return Files.isExecutable(Path.of("/usr/sbin/softflowd")) && Files.readAllLines(Path.of("/proc/self/status")).stream()
        .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
  }
}
