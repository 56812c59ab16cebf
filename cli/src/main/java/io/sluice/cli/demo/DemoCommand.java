package io.sluice.cli.demo;

import io.sluice.cli.UserError;
import io.sluice.cli.query.TablePrinter;
import io.sluice.cli.stack.StackOptions;
import io.sluice.cli.stack.UpCommand;
import io.sluice.ingest.collect.Collector;
import io.sluice.ingest.collect.CollectorConfig;
import io.sluice.ingest.collect.ListenerKind;
import io.sluice.stack.LocalStack;
import io.sluice.stack.StackSettings;
import io.sluice.store.ClickHouseHttp;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run Sluice end to end on local defaults: bring the stack up, register demo flow sources, submit",
        "FlowJob, run the collectors, play real traffic into them (replayed captures and softflowd exporting",
        "from a capture), then print top talkers and per-exporter totals with the SQL behind them.",
        "The stack and FlowJob keep running afterwards: query them with `sluice query`."})
public final class DemoCommand implements Callable<Integer> {
  /** A capture replayed from its own loopback address, so each is a distinct exporter. */
  record Replay(String capture, String source, ListenerKind port, String exporterPrefix, String name) {}

  static final List<Replay> REPLAYS = List.of(
      new Replay("flows/akvorado/netflow/samplingrate.pcap", "127.0.1.1", ListenerKind.NETFLOW, "127.0.1.1", "demo-nfv9-sampled"),
      new Replay("flows/goflow2/nfv9_template_data.pcap", "127.0.1.2", ListenerKind.NETFLOW, "127.0.1.2", "demo-nfv9"),
      new Replay("flows/logstash-codec-netflow/ipfix_openbsd_pflow.pcap", "127.0.1.3", ListenerKind.IPFIX, "127.0.1.3", "demo-ipfix-pflow"),
      // sFlow exporters are known by the agent address inside the datagram, not the UDP source.
      new Replay("flows/akvorado/sflow/data-1140.pcap", "127.0.1.4", ListenerKind.SFLOW, "172.16.0.0/24", "demo-sflow"),
      new Replay("flows/goflow2/sflow_basic.pcap", "127.0.1.5", ListenerKind.SFLOW, "172.16.0.0/24", "demo-sflow"));
  static final String SOFTFLOWD_CAPTURE = "l7/pktvisor/dns_udp_tcp_random.pcap";

  @Mixin StackOptions stackOptions;
  @Spec CommandSpec spec;

  @Option(names = "--fixtures", paramLabel = "DIR", description = "Real captures to replay (default: ../shared/fixtures next to the checkout).")
  Path fixtures;

  @Option(names = "--sflow-port", defaultValue = "6343", description = "Collector sFlow port. Default: ${DEFAULT-VALUE}.")
  int sflowPort;

  @Option(names = "--netflow-port", defaultValue = "2055", description = "Collector NetFlow/IPFIX port. Default: ${DEFAULT-VALUE}.")
  int netflowPort;

  @Option(names = "--ipfix-port", defaultValue = "4739", description = "Collector IPFIX port. Default: ${DEFAULT-VALUE}.")
  int ipfixPort;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "120", description = "How long to wait for the rows to land. Default: ${DEFAULT-VALUE}.")
  int waitSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    StackSettings settings = stackOptions.settings();
    Path captures = fixtures != null ? fixtures : settings.repoRoot().getParent().resolve("shared/fixtures");
    if (!Files.isDirectory(captures.resolve("flows"))) {
      throw new UserError("no captures to replay at " + captures + "; pass --fixtures DIR (a folder with flows/ and l7/)");
    }
    out.println("== 1/6 the local stack");
    UpCommand.bringUp(new LocalStack(settings), 180, true, out);

    out.println("== 2/6 flow sources");
    registerSources(settings, out);

    out.println("== 3/6 FlowJob");
    LocalPipeline.ensureFlowJob(settings, out);

    out.println("== 4/6 collectors");
    CollectorConfig config = CollectorConfig.defaults().kafka(settings.kafkaBootstrap()).bind("127.0.0.1")
        .port(ListenerKind.SFLOW, sflowPort).port(ListenerKind.NETFLOW, netflowPort).port(ListenerKind.IPFIX, ipfixPort)
        .metrics("127.0.0.1", 0).collectorId("demo").log(line -> {});
    ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), "sluice");
    long before = Long.parseLong(db.scalar("SELECT count() FROM flows"));
    try (Collector collector = Collector.start(config)) {
      out.printf("sFlow :%d, NetFlow/IPFIX :%d, IPFIX :%d, metrics http://127.0.0.1:%d/metrics%n",
          collector.port(ListenerKind.SFLOW), collector.port(ListenerKind.NETFLOW), collector.port(ListenerKind.IPFIX),
          collector.metricsPort());

      out.println("== 5/6 traffic");
      for (Replay replay : REPLAYS) {
        int sent = DemoTraffic.replay(captures.resolve(replay.capture()), replay.source(), collector.port(replay.port()));
        out.printf("replayed %d datagrams of %s from %s%n", sent, replay.capture(), replay.source());
      }
      softflowd(captures.resolve(SOFTFLOWD_CAPTURE), collector.port(ListenerKind.NETFLOW), out);
      long landed = waitForRows(db, before, out);
      out.printf("%d new rows in flows%n", landed - before);
      out.println("collector counters:");
      collector.metricsText().lines().filter(l -> l.startsWith("sluice_") && !l.contains("_bucket")).limit(25)
          .forEach(l -> out.println("  " + l));
    }

    out.println("== 6/6 results");
    show(db, out, "Top talkers (estimated bytes, sampling corrected):",
        "SELECT exporter_name, replaceOne(IPv6NumToString(src_addr), '::ffff:', '') AS src,"
            + " replaceOne(IPv6NumToString(dst_addr), '::ffff:', '') AS dst, protocol, sum(est_bytes) AS est_bytes,"
            + " sum(sampled_bytes) AS sampled_bytes, count() AS records FROM flows"
            + " GROUP BY exporter_name, src, dst, protocol ORDER BY est_bytes DESC, records DESC LIMIT 10");
    show(db, out, "Per exporter:",
        "SELECT exporter_name, flow_type, count() AS records, sum(sampled_bytes) AS sampled_bytes,"
            + " sum(est_bytes) AS est_bytes, groupUniqArray(sampling_rate_source) AS rate_sources,"
            + " min(time) AS first, max(time) AS last FROM flows GROUP BY exporter_name, flow_type ORDER BY exporter_name");
    out.println("The stack keeps running: ./sluice query \"SELECT count() FROM flows\"; ./sluice down stops it.");
    out.flush();
    return 0;
  }

  private static void registerSources(StackSettings settings, PrintWriter out) {
    for (Replay replay : REPLAYS) {
      LocalPipeline.ensureSource(settings, replay.exporterPrefix(), replay.name(), null, out);
    }
    // softflowd exports every packet it reads: unsampled, and the registry says so.
    LocalPipeline.ensureSource(settings, "127.0.0.1", "demo-softflowd", 1, out);
  }

  private static void softflowd(Path capture, int port, PrintWriter out) throws InterruptedException {
    if (!Files.isExecutable(Path.of("/usr/sbin/softflowd"))) {
      out.println("softflowd is not installed (apt-get install -y softflowd): skipping its export");
      return;
    }
    try {
      Process p = new ProcessBuilder("/usr/sbin/softflowd", "-r", capture.toString(), "-n", "127.0.0.1:" + port, "-v", "10")
          .redirectErrorStream(true).start();
      p.getOutputStream().close();
      p.getInputStream().readAllBytes();
      boolean done = p.waitFor(60, TimeUnit.SECONDS);
      out.println("softflowd exported " + capture.getFileName() + " as IPFIX from 127.0.0.1"
          + (done ? " (exit " + p.exitValue() + ")" : " (still running after 60 s; stopped)"));
      if (!done) {
        p.destroyForcibly();
      }
    } catch (IOException e) {
      out.println("softflowd failed to start: " + e.getMessage());
    }
  }

  /** Waits until the row count stops growing (FlowJob commits at each 2 s checkpoint). */
  private long waitForRows(ClickHouseHttp db, long before, PrintWriter out) throws InterruptedException {
    long deadline = System.currentTimeMillis() + waitSeconds * 1000L;
    long last = before;
    int stable = 0;
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(1000);
      long now = Long.parseLong(db.scalar("SELECT count() FROM flows"));
      stable = now == last && now > before ? stable + 1 : 0;
      last = now;
      if (stable >= 5) {
        return now;
      }
    }
    out.println("rows were still arriving after " + waitSeconds + " s");
    return last;
  }

  private static void show(ClickHouseHttp db, PrintWriter out, String title, String sql) {
    out.println();
    out.println(title);
    out.println("  " + sql);
    ClickHouseHttp.Table table = db.query(sql);
    TablePrinter.print(out, table.columns(), table.rows());
  }
}
