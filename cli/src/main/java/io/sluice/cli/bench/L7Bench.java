package io.sluice.cli.bench;

import io.sluice.cli.SluiceHome;
import io.sluice.cli.demo.exporter.L7Traffic;
import io.sluice.cli.demo.exporter.PcapFile;
import io.sluice.cli.UserError;
import io.sluice.cli.submit.FlinkRest;
import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.Topics;
import io.sluice.jobs.l7.L7Job;
import io.sluice.jobs.l7.PacketReplay;
import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.Migrator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;
import io.sluice.cli.TablePrinter;
import io.sluice.stack.LocalStack;
import io.sluice.stack.StackSettings;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * `sluice bench l7`: a capture replayed as fast as possible into Kafka (several copies, each as its own node, so
 * the run is long enough to measure), then the L7Job run bounded on the Flink cluster into a fresh ClickHouse
 * database, checkpointing (committing rows) as deployed unless told otherwise; the rows are counted against the
 * offline engine's before a rate is printed.
 */
@Command(name = "l7", mixinStandardHelpOptions = true,
    description = "End-to-end rate of sluice replay --as-fast-as-possible → Kafka → L7Job → ClickHouse on the local stack.")
public final class L7Bench implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--capture", paramLabel = "FILE",
      description = "Default: DNS and HTTP conversations the bench writes itself (--conversations of them, 2 ms apart; `sluice demo-exporter --l7`).")
  Path capture;

  @Option(names = "--conversations", paramLabel = "N", defaultValue = "5000",
      description = "Without --capture: conversations in the generated capture, 1..1000000. Default: ${DEFAULT-VALUE}.")
  int conversations;

  @Option(names = "--copies", defaultValue = "1000", description = {"Times the capture is replayed, each as its own node."
      + " The default (18.8 million packets of the generated capture) keeps about 3 checkpoints of 10 s in the steady"
      + " window even at 500,000 packets/s. Default: ${DEFAULT-VALUE}."})
  int copies;

  @Option(names = "--checkpoint-ms", paramLabel = "MS", defaultValue = "" + L7Job.CHECKPOINT_MS, description = {"The L7Job's checkpoint"
      + " interval: rows are committed to ClickHouse at each checkpoint. The job's default (the k8s manifests use"
      + " 30000). Default: ${DEFAULT-VALUE}."})
  long checkpointMs;

  @Option(names = "--packets-per-record", paramLabel = "N", defaultValue = "64",
      description = "Packets per Kafka record: above 1, CapturedPacketBatch records of up to N packets of one partition, as the eBPF loader sends them (one per partition per drain of its ring buffer); 1: one CapturedPacket per record. Default: ${DEFAULT-VALUE}.")
  int packetsPerRecord;

  @Option(names = "--kafka", defaultValue = DefaultEndpoints.KAFKA, description = "Default: ${DEFAULT-VALUE}.")
  String kafka;

  @Option(names = "--clickhouse", defaultValue = DefaultEndpoints.CLICKHOUSE, description = "Default: ${DEFAULT-VALUE}.")
  String clickhouse;

  @Option(names = "--flink", defaultValue = DefaultEndpoints.FLINK, description = "Default: ${DEFAULT-VALUE}.")
  String flink;

  @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "The local stack's work directory, where its pid files are (for CPU per process; default: .sluice/ in the checkout).")
  Path workDir;

  @Override
  public Integer call() throws Exception {
    if (conversations < 1 || conversations > 1_000_000) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--conversations must be 1..1000000, got " + conversations);
    }
    if (checkpointMs < 10) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--checkpoint-ms must be at least 10, got " + checkpointMs);
    }
    if (copies < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--copies must be at least 1, got " + copies);
    }
    if (packetsPerRecord < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--packets-per-record must be at least 1, got " + packetsPerRecord);
    }
    Path file = capture != null ? capture : generatedCapture(conversations);
    if (!Files.isRegularFile(file)) {
      throw new UserError("no such capture file: " + file);
    }
    Path jar = jobJar();
    PrintWriter out = spec.commandLine().getOut();
    long[] offline = new long[2];
    L7Replay.run(file, L7Config.defaults(), new L7Sink() {
      @Override
      public void dns(DnsRow row) {
        offline[0]++;
      }

      @Override
      public void http(HttpRow row) {
        offline[1]++;
      }
    });

    String run = UUID.randomUUID().toString().substring(0, 8);
    String prefix = "bench" + run + ".";
    String database = "l7bench_" + run;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
      // The L7Job reads socket events too; a replay has none, but the topic must exist.
      admin.createTopics(List.of(new NewTopic(prefix + Topics.PACKETS_RAW, 4, (short) 1),
          new NewTopic(prefix + Topics.SOCKETS_RAW, 4, (short) 1))).all().get();
    }
    ClickHouseHttp server = new ClickHouseHttp(clickhouse, null);
    new Migrator(server, database, SluiceHome.find().resolve("sql"), line -> {}).migrate();

    // Each copy later in event time than the one before, as a longer capture would be: a copy replayed over the
    // same times would arrive behind the watermark (late data), which live capture never produces. Back to back (1 s
    // apart), as one long capture: a wider gap makes every copy's start a jump in event time that the job's watermark
    // alignment (max-drift-ms) pauses the partition at until the others have made it too.
    long span = captureSpanNs(file) + 1_000_000_000L;
    long packets = 0;
    StackSettings settings = StackSettings.defaults(SluiceHome.find());
    Map<String, Supplier<OptionalLong>> pids = FlowsBench.pids(new LocalStack(
        workDir == null ? settings : settings.withWorkDir(workDir.toAbsolutePath())), null);
    CpuMeter replayCpu = new CpuMeter(pids);
    long replayStart = System.nanoTime();
    for (int i = 1; i <= copies; i++) {
      packets += PacketReplay.run(file, kafka, prefix + Topics.PACKETS_RAW, "bench-" + i, 0, (i - 1) * span,
          packetsPerRecord).packets();
    }
    long replayNs = System.nanoTime() - replayStart;
    Map<String, CpuAccount> replayed = replayCpu.stop();

    FlinkRest rest = new FlinkRest(flink);
    String jarId = rest.upload(jar);
    CpuMeter jobCpu = new CpuMeter(pids);
    long jobStart = System.nanoTime();
    String jobId = rest.run(jarId, "io.sluice.jobs.l7.L7Job", List.of("kafka=" + kafka, "clickhouse=" + clickhouse,
        "database=" + database, "topic-prefix=" + prefix, "group=" + prefix, "bounded=true", "checkpoint-ms=" + checkpointMs),
        parallelism);
    ClickHouseHttp db = server.withDatabase(database);
    SteadyState steady = new SteadyState((offline[0] + offline[1]) * copies, jobStart, pids);
    L7Timeline timeline = new L7Timeline(rest, jobId, pids.getOrDefault("flink-taskmanager", OptionalLong::empty), jobStart);
    long lastCount = 0;
    long landed = 0;
    String state = rest.jobState(jobId);
    while (!List.of("FINISHED", "FAILED", "CANCELED").contains(state)) {
      Thread.sleep(100);
      if (System.nanoTime() - lastCount >= 250_000_000L) {
        lastCount = System.nanoTime();
        landed = landedRows(db);
        steady.landed(landed, lastCount);
      }
      timeline.maybeSample(System.nanoTime(), landed);
      state = rest.jobState(jobId);
    }
    long jobNs = System.nanoTime() - jobStart;
    Map<String, CpuAccount> job = jobCpu.stop();
    steady.close();
    if (!state.equals("FINISHED")) {
      throw new UserError("the L7 job ended " + state + ": see " + flink + "/#/job/completed/" + jobId);
    }
    long dns = Long.parseLong(db.scalar("SELECT count() FROM dns"));
    long http = Long.parseLong(db.scalar("SELECT count() FROM http"));
    if (dns != offline[0] * copies || http != offline[1] * copies) {
      throw new UserError("rows in ClickHouse " + dns + "/" + http + ", expected " + offline[0] * copies + "/"
          + offline[1] * copies + " (dns/http)");
    }
    long rows = dns + http;
    double replayS = replayNs / 1e9;
    double jobS = jobNs / 1e9;
    double totalS = replayS + jobS;
    out.printf("| capture | copies | packets per record | checkpoint | packets | rows | replay to Kafka | L7Job (submit to finished) | end to end |%n");
    out.printf("|---|---|---|---|---|---|---|---|---|%n");
    out.printf("| %s | %d | %d | %,d ms | %,d | %,d | %.1f s, %,.0f packets/s | %.1f s, %,.0f packets/s, %,.0f rows/s | %.1f s, %,.0f packets/s, %,.0f rows/s |%n",
        file.getFileName(), copies, packetsPerRecord, checkpointMs, packets, rows, replayS, packets / replayS, jobS, packets / jobS, rows / jobS,
        totalS, packets / totalS, rows / totalS);
    out.println();
    out.println("Microseconds of CPU per packet, per process (\"+\": restarted during the run, up to 0.5 s of the old"
        + " process's CPU missing); the L7Job's start-up (jar upload, JIT, the first checkpoint) is in its share:");
    List<List<String>> cpuRows = new ArrayList<>();
    for (String name : pids.keySet()) {
      cpuRows.add(List.of(name.equals("generator") ? "sluice bench (replay)" : name,
          CpuMeter.microsPerRecord(replayed.get(name), packets), CpuMeter.microsPerRecord(job.get(name), packets)));
    }
    TablePrinter.print(out, List.of("process", "replay to Kafka", "L7Job (submit to finished)"), cpuRows);
    out.println();
    steady.print(out, packets, rows);
    out.println();
    out.println(failovers(rest, jobId));
    out.println();
    timeline.print(out);
    out.flush();
    server.execute("DROP DATABASE IF EXISTS " + database);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
      admin.deleteTopics(List.of(prefix + Topics.PACKETS_RAW, prefix + Topics.SOCKETS_RAW)).all().get();
    }
    return 0;
  }

  /** Rows committed to the L7 tables so far (the sink commits them at each checkpoint). */
  private static long landedRows(ClickHouseHttp db) throws java.io.IOException {
    return Long.parseLong(db.scalar("SELECT (SELECT count() FROM dns) + (SELECT count() FROM http)"));
  }

  private static String failovers(FlinkRest rest, String jobId) {
    try {
      return JobFailovers.of(rest.get("/jobs/" + jobId + "/exceptions"),
          rest.get("/jobs/" + jobId).path("start-time").asLong()).line();
    } catch (java.io.IOException e) {
      return "Failovers during the L7Job: unknown (" + e.getMessage() + ")";
    }
  }

  /** DNS and HTTP conversations written by {@link L7Traffic} into a temporary pcap (deleted when the JVM exits). */
  static Path generatedCapture(int conversations) throws java.io.IOException {
    Path file = Files.createTempFile("sluice-bench-l7-", ".pcap");
    file.toFile().deleteOnExit();
    try (PcapFile pcap = new PcapFile(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
      for (L7Traffic.Frame f : L7Traffic.capture(1, conversations, 1_700_000_000_000_000L, 2_000)) {
        pcap.write(f.timeMicros(), f.data());
      }
    }
    return file;
  }

  private static long captureSpanNs(Path file) throws java.io.IOException {
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    try (io.sluice.ingest.pcap.CaptureReader reader = io.sluice.ingest.pcap.CaptureReader.open(file)) {
      for (io.sluice.ingest.pcap.CaptureFrame f : reader) {
        first = Math.min(first, f.timestampNs());
        last = Math.max(last, f.timestampNs());
      }
    }
    return last - first;
  }

  private static Path jobJar() {
    Path target = SluiceHome.find().resolve("jobs/target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().matches("sluice-jobs-.*-job\\.jar")).findFirst()
          .orElseThrow(() -> new UserError("no job jar in " + target + "; build it with: mvn -q -DskipTests package -pl jobs -am"));
    } catch (java.io.IOException e) {
      throw new UserError("no job jar in " + target + ": " + e.getMessage(), e);
    }
  }
}
