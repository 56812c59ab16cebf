package io.sluice.cli.demo;

import io.sluice.cli.demo.exporter.DemoExporter;
import io.sluice.cli.demo.exporter.L7Traffic;
import io.sluice.cli.demo.exporter.PcapFile;
import io.sluice.cli.TablePrinter;
import io.sluice.cli.stack.StackOptions;
import io.sluice.cli.stack.UpCommand;
import io.sluice.stack.LocalStack;
import io.sluice.stack.StackSettings;
import io.sluice.store.ClickHouseHttp;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run Sluice end to end on this machine with live demo traffic: bring the stack up, register the demo",
        "routers, submit FlowJob, L7Job and the connections job, start the collectors, the demo routers (`sluice demo-exporter`: sFlow,",
        "NetFlow v9 and IPFIX from 127.0.0.x) and, as root, softflowd on a veth to a network namespace with bounded",
        "traffic, and live DNS/HTTP: unbound and nginx in one namespace, a bounded dig/curl loop in another, `sluice",
        "capture` (eBPF) there; where the kernel cannot (no BTF, not root), a replay of a capture the demo writes. All in",
        "the background; wait for the first rows, then print what to look at. Everything keeps running and filling the",
        "tables; `sluice down` stops it all, the namespaces included."})
public final class DemoCommand implements Callable<Integer> {
  static final String L7_NODE = "demo-node";

  @Mixin StackOptions stackOptions;
  @Spec CommandSpec spec;

  @Option(names = "--sflow-port", defaultValue = "6343", description = "Collector sFlow port. Default: ${DEFAULT-VALUE}.")
  int sflowPort;

  @Option(names = "--netflow-port", defaultValue = "2055", description = "Collector NetFlow/IPFIX port. Default: ${DEFAULT-VALUE}.")
  int netflowPort;

  @Option(names = "--ipfix-port", defaultValue = "4739", description = "Collector IPFIX port. Default: ${DEFAULT-VALUE}.")
  int ipfixPort;

  @Option(names = "--rate", paramLabel = "RECORDS", defaultValue = "300",
      description = "Flow records per second of all demo routers at the daily peak. Default: ${DEFAULT-VALUE}.")
  int rate;

  @Option(names = "--seed", defaultValue = "1", description = "The demo traffic's seed. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--day-minutes", paramLabel = "MINUTES", defaultValue = "10",
      description = "One day of the traffic curve lasts this long. Default: ${DEFAULT-VALUE}.")
  int dayMinutes;

  @Option(names = "--l7-minutes", paramLabel = "MINUTES", defaultValue = "120",
      description = "How long the DNS/HTTP replay runs where live capture cannot, 1..1440. Default: ${DEFAULT-VALUE}.")
  int l7Minutes;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "180", description = "How long to wait for the first rows. Default: ${DEFAULT-VALUE}.")
  int waitSeconds;

  /** Whether DNS/HTTP come from live eBPF capture (dig and curl in a namespace) rather than the replay. */
  private boolean liveL7;
  private long started;
  private long l7SeenAt;

  @Override
  public Integer call() throws Exception {
    validate();
    started = System.currentTimeMillis();
    PrintWriter out = spec.commandLine().getOut();
    StackSettings settings = stackOptions.settings();
    out.println("== 1/6 the local stack");
    UpCommand.bringUp(new LocalStack(settings), 180, true, out);

    out.println("== 2/6 the demo routers, registered as flow sources");
    List<DemoExporter> fleet = DemoExporter.fleet(seed, dayMinutes * 60_000L, 0);
    for (DemoExporter e : fleet) {
      // No --sampling-rate: every demo router announces its own (sFlow samples, NetFlow/IPFIX options data).
      LocalPipeline.ensureSource(settings, e.address(), e.name(), null, out);
    }
    boolean softflowd = DemoSoftflowd.missing() == null;
    if (softflowd) {
      // softflowd exports every packet it sees: unsampled, and the registry says so.
      LocalPipeline.ensureSource(settings, DemoSoftflowd.EXPORTER, DemoSoftflowd.NAME, 1, out);
    }

    out.println("== 3/6 FlowJob, L7Job and the connections job");
    LocalPipeline.ensureFlowJob(settings, out);
    LocalPipeline.ensureL7Job(settings, out);
    LocalPipeline.ensureConnectionsJob(settings, out);

    out.println("== 4/6 collectors, demo routers and DNS/HTTP traffic, in the background");
    softflowd = startBackground(settings, out);

    out.println("== 5/6 waiting for the first rows");
    ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), "sluice");
    Set<String> expected = new TreeSet<>();
    fleet.forEach(e -> expected.add(e.name()));
    if (softflowd) {
      expected.add(DemoSoftflowd.NAME);
    }
    boolean complete = waitForRows(db, expected, out);
    out.printf("%s %.1f s after the command started%s%n", complete ? "rows from every demo source" : "still incomplete",
        (System.currentTimeMillis() - started) / 1000.0, liveL7 ? " (DNS/HTTP live from eBPF, with dig's and curl's process)" : "");

    out.println("== 6/6 what to look at");
    guide(settings, db, out);
    out.flush();
    return complete ? 0 : 1;
  }

  private void validate() {
    CommandLine cli = spec.commandLine();
    for (int port : new int[] {sflowPort, netflowPort, ipfixPort}) {
      if (port < 1 || port > 65535) {
        throw new CommandLine.ParameterException(cli, "collector ports must be 1..65535, got " + port);
      }
    }
    if (rate < 1 || rate > 5000) {
      throw new CommandLine.ParameterException(cli, "--rate must be 1..5000 records/s, got " + rate);
    }
    if (dayMinutes < 1 || dayMinutes > 1440) {
      throw new CommandLine.ParameterException(cli, "--day-minutes must be 1..1440, got " + dayMinutes);
    }
    if (l7Minutes < 1 || l7Minutes > 1440) {
      throw new CommandLine.ParameterException(cli, "--l7-minutes must be 1..1440, got " + l7Minutes);
    }
    if (waitSeconds < 1) {
      throw new CommandLine.ParameterException(cli, "--wait must be 1 or more seconds, got " + waitSeconds);
    }
  }

  /** Starts what runs in the background; returns whether softflowd's part runs too. */
  private boolean startBackground(StackSettings settings, PrintWriter out) throws IOException, InterruptedException {
    long collector = DemoProcesses.startSluice(settings, "demo-collector", "256m", List.of("collect", "--bind", "127.0.0.1",
        "--kafka", settings.kafkaBootstrap(), "--sflow-port", Integer.toString(sflowPort), "--netflow-port",
        Integer.toString(netflowPort), "--ipfix-port", Integer.toString(ipfixPort), "--metrics-port", "0",
        "--sockets", "1", "--collector-id", "demo"));
    out.printf("collectors (pid %d): sFlow 127.0.0.1:%d, NetFlow/IPFIX :%d, IPFIX :%d%n", collector, sflowPort, netflowPort, ipfixPort);
    long exporter = DemoProcesses.startSluice(settings, "demo-exporter", "128m", List.of("demo-exporter",
        "--sflow-port", Integer.toString(sflowPort), "--netflow-port", Integer.toString(netflowPort),
        "--ipfix-port", Integer.toString(ipfixPort), "--rate", Integer.toString(rate), "--seed", Long.toString(seed),
        "--day-minutes", Integer.toString(dayMinutes)));
    out.printf("demo routers (pid %d): %d records/s at the evening peak, one day every %d minutes%n", exporter, rate, dayMinutes);

    liveL7 = DemoL7Live.start(settings, out);
    if (!liveL7) {
      startReplay(settings, out);
    }
    boolean softflowd = DemoSoftflowd.start(settings, netflowPort, out);
    out.println("logs: " + DemoProcesses.logDir(settings));
    return softflowd;
  }

  /**
   * Where live capture cannot run: the DNS/HTTP rows come from conversations the demo writes into a capture now and
   * replays at their own pace, so their times are now too.
   */
  private void startReplay(StackSettings settings, PrintWriter out) throws IOException {
    Path pcap = settings.workDir().resolve("demo").resolve("l7-demo.pcap");
    if (!DemoProcesses.process(settings, "demo-l7-replay").isRunning()) {
      Files.createDirectories(pcap.getParent());
      int perSecond = 3;
      List<L7Traffic.Frame> frames = L7Traffic.capture(seed, l7Minutes * 60 * perSecond,
          (System.currentTimeMillis() + 2000) * 1000, 1_000_000 / perSecond);
      try (PcapFile file = new PcapFile(new BufferedOutputStream(Files.newOutputStream(pcap)))) {
        for (L7Traffic.Frame f : frames) {
          file.write(f.timeMicros(), f.data());
        }
      }
    }
    long replay = DemoProcesses.startSluice(settings, "demo-l7-replay", "256m", List.of("replay", pcap.toString(),
        "--kafka", settings.kafkaBootstrap(), "--node", L7_NODE));
    out.printf("DNS/HTTP (pid %d): %s replayed in real time for %d minutes (3 conversations/s; no process: a replay"
        + " has no socket events)%n", replay, settings.repoRoot().relativize(pcap.toAbsolutePath()).toString().startsWith("..")
        ? pcap : settings.repoRoot().relativize(pcap.toAbsolutePath()), l7Minutes);
  }

  /** Waits until flows has recent rows from every expected exporter and dns and http have recent rows. */
  private boolean waitForRows(ClickHouseHttp db, Set<String> expected, PrintWriter out) throws InterruptedException {
    long deadline = System.currentTimeMillis() + waitSeconds * 1000L;
    Set<String> seen = new TreeSet<>();
    while (System.currentTimeMillis() < deadline) {
      seen.clear();
      db.query("SELECT DISTINCT exporter_name FROM flows WHERE time >= now() - 300").rows().forEach(r -> seen.add(r.get(0)));
      for (String table : List.of("dns", "http")) {
        String live = liveL7 ? " AND comm IN ('dig', 'curl')" : "";
        if (!db.scalar("SELECT count() FROM " + table + " WHERE time >= now() - 300" + live).equals("0")) {
          seen.add(table);
        }
      }
      if (l7SeenAt == 0 && seen.contains("dns") && seen.contains("http")) {
        l7SeenAt = System.currentTimeMillis();
        out.printf("first %s DNS and HTTP rows %.1f s after the command started%n", liveL7 ? "live (eBPF)" : "replayed",
            (l7SeenAt - started) / 1000.0);
      }
      if (seen.containsAll(expected) && seen.contains("dns") && seen.contains("http")) {
        return true;
      }
      Thread.sleep(1000);
    }
    Set<String> missing = new TreeSet<>(expected);
    missing.add("dns");
    missing.add("http");
    missing.removeAll(seen);
    out.println("no rows after " + waitSeconds + " s from: " + missing + " (logs in the work directory's demo/log)");
    return false;
  }

  private static void guide(StackSettings settings, ClickHouseHttp db, PrintWriter out) {
    show(db, out, "Top talkers, last 15 minutes (estimated bytes: sampled bytes x the rate each router announced):",
        "SELECT exporter_name, replaceOne(IPv6NumToString(src_addr), '::ffff:', '') AS src,"
            + " replaceOne(IPv6NumToString(dst_addr), '::ffff:', '') AS dst, protocol, sum(est_bytes) AS bytes_est"
            + " FROM flows WHERE time >= now() - 900 GROUP BY exporter_name, src, dst, protocol ORDER BY bytes_est DESC LIMIT 8");
    show(db, out, "Per router, last 15 minutes:",
        "SELECT exporter_name, flow_type, count() AS records, groupUniqArray(sampling_rate) AS rates,"
            + " groupUniqArray(sampling_rate_source) AS rate_sources, sum(est_bytes) AS bytes_est, max(time) AS last"
            + " FROM flows WHERE time >= now() - 900 GROUP BY exporter_name, flow_type ORDER BY exporter_name");
    show(db, out, "Top source AS, last 15 minutes:",
        "SELECT src_as, sum(est_bytes) AS bytes_est, count() AS records FROM flows WHERE time >= now() - 900"
            + " GROUP BY src_as ORDER BY bytes_est DESC LIMIT 5");
    show(db, out, "DNS names and outcomes, last 15 minutes:",
        "SELECT qname, rcode, status, count() AS queries, round(quantile(0.95)(latency_ns) / 1e6, 2) AS p95_ms FROM dns"
            + " WHERE time >= now() - 900 GROUP BY qname, rcode, status ORDER BY queries DESC LIMIT 6");
    show(db, out, "DNS and HTTP by client process, last 15 minutes (live eBPF capture only; a replay has no process):",
        "SELECT 'dns' AS proto, comm, count() AS records FROM dns WHERE time >= now() - 900 AND comm != '' GROUP BY comm"
            + " UNION ALL SELECT 'http' AS proto, comm, count() AS records FROM http WHERE time >= now() - 900 AND comm != ''"
            + " GROUP BY comm");
    show(db, out, "HTTP status by host, last 15 minutes:",
        "SELECT host, status_code, count() AS requests FROM http WHERE time >= now() - 900"
            + " GROUP BY host, status_code ORDER BY requests DESC LIMIT 6");
    Path repo = settings.repoRoot();
    out.println();
    out.println("Everything keeps running, and the tables keep filling:");
    out.println("  ./sluice query \"SELECT exporter_name, count() FROM flows WHERE time >= now() - 60 GROUP BY exporter_name\"");
    out.println("  Flink UI (FlowJob, L7Job, connections): " + settings.flinkUrl());
    out.println("  Grafana with the ClickHouse plugin, on the dashboards in grafana/ (e.g. in Docker):");
    out.println("    docker run -d --name sluice-grafana --network host -e GF_INSTALL_PLUGINS=grafana-clickhouse-datasource \\");
    out.println("      -e SLUICE_CLICKHOUSE_HOST=127.0.0.1 -e SLUICE_CLICKHOUSE_PORT=" + settings.clickhouseHttpPort()
        + " -e SLUICE_CLICKHOUSE_USER=default -e SLUICE_CLICKHOUSE_PASSWORD= \\");
    out.println("      -v " + repo.resolve("grafana/provisioning/datasources") + ":/etc/grafana/provisioning/datasources \\");
    out.println("      -v " + repo.resolve("grafana/provisioning/dashboards") + ":/etc/grafana/provisioning/dashboards \\");
    out.println("      -v " + repo.resolve("grafana/dashboards") + ":/var/lib/grafana/dashboards/sluice grafana/grafana");
    out.println("    then open http://127.0.0.1:3000 (admin/admin), folder Sluice, range \"Last 15 minutes\".");
    out.println("  ./sluice down stops the stack, the collectors, the demo routers, the replay or the live capture with its"
        + " servers and dig/curl loop, softflowd, and the demo's namespaces.");
  }

  private static void show(ClickHouseHttp db, PrintWriter out, String title, String sql) {
    out.println();
    out.println(title);
    out.println("  " + sql);
    ClickHouseHttp.Table table = db.query(sql);
    TablePrinter.print(out, table.columns(), table.rows());
  }
}
