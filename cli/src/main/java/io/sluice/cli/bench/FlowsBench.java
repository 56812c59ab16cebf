package io.sluice.cli.bench;

import io.sluice.cli.Main;
import io.sluice.cli.UserError;
import io.sluice.cli.demo.LocalPipeline;
import io.sluice.cli.TablePrinter;
import io.sluice.cli.stack.StackOptions;
import io.sluice.cli.stack.UpCommand;
import io.sluice.stack.LocalStack;
import io.sluice.stack.ManagedProcess;
import io.sluice.stack.Ports;
import io.sluice.stack.Service;
import io.sluice.stack.StackSettings;
import io.sluice.store.ClickHouseHttp;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.function.ToDoubleBiFunction;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "flows", mixinStandardHelpOptions = true,
    description = {"End-to-end flow throughput on the local stack: an IPFIX generator sends at each rate for a while",
        "to a collector process on loopback; FlowJob decodes and lands the records in ClickHouse. Prints, per rate,",
        "what was sent and landed, the loss, the kernel's UDP drops, and CPU and memory per process; then the same",
        "stream into nfcapd and nfacctd (apt-get install nfdump pmacct) for comparison."})
public final class FlowsBench implements Callable<Integer> {
  private static final Pattern KERNEL_DROPS = Pattern.compile("sluice_collector_kernel_udp_drops_total\\{[^}]*listener=\"ipfix\"[^}]*\\} (\\d+)");

  @Mixin StackOptions stackOptions;
  @Spec CommandSpec spec;

  @Option(names = "--rates", split = ",", defaultValue = "50000,100000,200000,300000", description = "Records per second to try. Default: ${DEFAULT-VALUE}.")
  List<Integer> rates;

  @Option(names = "--seconds", defaultValue = "60", description = "How long each rate is sent. Default: ${DEFAULT-VALUE}.")
  int seconds;

  @Option(names = "--drain-seconds", defaultValue = "60", description = "How long to wait for the last records to land. Default: ${DEFAULT-VALUE}.")
  int drainSeconds;

  @Option(names = "--checkpoint-ms", defaultValue = "10000", description = "FlowJob's checkpoint (commit) interval. Default: ${DEFAULT-VALUE}.")
  long checkpointMs;

  @Option(names = "--warmup-seconds", defaultValue = "10", description = {"Before the measured rates, send at the first"
      + " rate for this long (an observation domain of its own) and wait for it to land: the job's start (jar download,"
      + " class loading, JIT) is then reported apart instead of in the CPU per record. 0: none. Default: ${DEFAULT-VALUE}."})
  int warmupSeconds;

  @Option(names = "--job-jar", paramLabel = "FILE", description = "The FlowJob jar to submit (default: the checkout's"
      + " jobs/target jar), e.g. an older build to compare.")
  Path jobJar;

  @Option(names = "--peers", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Also send each stream to nfdump's nfcapd and pmacct's nfacctd, where installed. Default: ${DEFAULT-VALUE}.")
  boolean peers;

  @Override
  public Integer call() throws Exception {
    if (seconds < 1 || drainSeconds < 1 || warmupSeconds < 0 || rates.stream().anyMatch(r -> r < IpfixGenerator.RECORDS_PER_DATAGRAM)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--seconds and --drain-seconds must be >= 1, --warmup-seconds >= 0 and every rate >= " + IpfixGenerator.RECORDS_PER_DATAGRAM);
    }
    PrintWriter out = spec.commandLine().getOut();
    StackSettings settings = stackOptions.settings();
    LocalStack stack = new LocalStack(settings);
    UpCommand.bringUp(stack, 180, true, out);
    LocalPipeline.ensureSource(settings, "127.0.3.1", "bench-ipfix", 1000, out);
    LocalPipeline.cancelFlowJob(settings, out);

    int ipfixPort = Ports.free();
    int metricsPort = Ports.free();
    Process collector = startCollector(settings, ipfixPort, metricsPort);
    List<List<String>> rows = new ArrayList<>();
    List<List<String>> peerRows = new ArrayList<>();
    Map<String, Supplier<OptionalLong>> pids = pids(stack, collector);
    try {
      awaitMetrics(metricsPort);
      ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), "sluice");
      long runBase = (System.currentTimeMillis() / 1000) % 1_000_000 * 100;
      CpuMeter startUp = new CpuMeter(pids);
      long submitted = System.nanoTime();
      // The bench's own FlowJob, at the production commit interval: each checkpoint commits one set of parts. One
      // generator is one exporter at the bench's whole rate: above FlowJob's default per-exporter budget.
      LocalPipeline.submitFlowJob(settings, checkpointMs, jobJar, out, "exporter-records-per-second=100000000");
      if (warmupSeconds > 0) {
        warmUp(rates.get(0), runBase + 99, ipfixPort, db, out);
      }
      Map<String, CpuAccount> startUpCpu = startUp.stop();
      out.printf("  start-up%s: %.1f s; CPU s: %s%n", warmupSeconds > 0 ? " and warm-up" : "",
          (System.nanoTime() - submitted) / 1e9, String.join(", ", startUpCpu.entrySet().stream()
              .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue().cpuSeconds())).toList()));
      for (int i = 0; i < rates.size(); i++) {
        rows.add(run(rates.get(i), runBase + i, ipfixPort, metricsPort, db, pids, out));
        for (PeerCollector peer : PeerCollector.values()) {
          if (peers && peer.installed()) {
            peerRows.add(peer(peer, rates.get(i), runBase + i, settings, out));
          }
        }
      }
    } finally {
      collector.destroy();
      collector.waitFor(20, TimeUnit.SECONDS);
    }
    out.println();
    out.printf("IPFIX, 20-field template, 18 records per datagram, %d s per rate.%n", seconds);
    List<String> header = new ArrayList<>(List.of("target rec/s", "sent", "sent rec/s", "landed", "not landed", "drain s",
        "sustained rec/s", "kernel drops", "lossless"));
    pids.keySet().forEach(name -> header.add(name + " us/rec"));
    header.add(PIPELINE + " us/rec");
    header.add("flink-taskmanager less JIT us/rec");
    header.add(PIPELINE + " less JIT us/rec");
    pids.keySet().forEach(name -> header.add(name + " RSS MiB"));
    TablePrinter.print(out, header, rows);
    out.println("not landed = still queued (in Kafka or the job) when the drain time ran out; sustained rec/s = landed /"
        + " (send time + drain time); lossless = every record and byte landed; us/rec = microseconds of CPU per record"
        + " (per record landed during the run, an earlier run's rest included, for FlowJob's JobManager and TaskManager and ClickHouse, per record sent for the"
        + " generator, per record received by the collector, i.e. sent less 18 per kernel-dropped datagram, for the rest), each process's CPU from the start"
        + " of sending to the end of the drain, after the warm-up (\"+\": the process restarted"
        + " during the run and up to 0.5 s of the old one's CPU is missing); less JIT = the same without the JVMs' C1/C2"
        + " compiler threads, which in a freshly submitted job are still compiling it (a job that runs for hours pays"
        + " that once).");
    if (!peerRows.isEmpty()) {
      out.println();
      out.println("The same streams into the peers (their own stores; microseconds of CPU per record while sending):");
      TablePrinter.print(out, List.of("collector", "target rec/s", "sent", "stored records", "bytes stored = sent",
          "packets stored = sent", "us/rec", "RSS MiB"), peerRows);
    }
    return 0;
  }

  private List<String> peer(PeerCollector peer, int rate, long domain, StackSettings settings, PrintWriter out)
      throws Exception {
    out.printf("sending %,d records/s for %d s to %s...%n", rate, seconds, peer.label());
    out.flush();
    java.nio.file.Path dir = java.nio.file.Files.createDirectories(
        settings.workDir().resolve("bench-peers").resolve(peer.label() + "-" + domain));
    int port = Ports.free();
    Process process = peer.start(port, dir);
    Thread.sleep(2000); // let it bind
    CpuMeter meter = new CpuMeter(Map.of(peer.label(), () -> alive(process)));
    IpfixGenerator generated = send(rate, domain, port);
    CpuAccount cpu = meter.stop().get(peer.label());
    PeerCollector.Stored stored = peer.stopAndCount(process, dir);
    return List.of(peer.label(), String.format(Locale.ROOT, "%,d", rate), String.format(Locale.ROOT, "%,d", generated.records),
        stored.records() < 0 ? "n/a (aggregates)" : String.format(Locale.ROOT, "%,d", stored.records()),
        stored.octets() == generated.octets ? "yes" : String.format(Locale.ROOT, "no (%,d)", stored.octets()),
        stored.packets() == generated.packets ? "yes" : String.format(Locale.ROOT, "no (%,d)", stored.packets()),
        CpuMeter.microsPerRecord(cpu, generated.records), Long.toString(cpu.rssKiB() / 1024));
  }

  private List<String> run(int rate, long domain, int port, int metricsPort, ClickHouseHttp db,
      Map<String, Supplier<OptionalLong>> pids, PrintWriter out) throws Exception {
    out.printf("sending %,d records/s for %d s (observation domain %d)...%n", rate, seconds, domain);
    out.flush();
    long dropsBefore = kernelDrops(metricsPort);
    // Downstream of Kafka the work of the run is every record landed in it, the rest of an earlier run's included.
    String all = "SELECT count() FROM flows WHERE exporter_name = 'bench-ipfix'";
    long landedBefore = Long.parseLong(db.scalar(all));
    CpuMeter meter = new CpuMeter(pids);
    IpfixGenerator generated = send(rate, domain, port);
    long sent = generated.records;
    double sendSeconds = seconds;
    long drainStart = System.nanoTime();
    long landed = 0;
    String count = "SELECT count() FROM flows WHERE exporter_name = 'bench-ipfix' AND observation_domain = " + domain;
    long deadline = System.currentTimeMillis() + drainSeconds * 1000L;
    while (System.currentTimeMillis() < deadline) {
      landed = Long.parseLong(db.scalar(count));
      if (landed >= sent) {
        break;
      }
      Thread.sleep(500);
    }
    double drain = (System.nanoTime() - drainStart) / 1e9;
    Map<String, CpuAccount> cpu = meter.stop();
    long landedInRun = Long.parseLong(db.scalar(all)) - landedBefore;
    long drops = kernelDrops(metricsPort) - dropsBefore;
    boolean bytesMatch = Long.toString(generated.octets).equals(db.scalar("SELECT sum(sampled_bytes) FROM flows"
        + " WHERE exporter_name = 'bench-ipfix' AND observation_domain = " + domain));
    List<String> row = new ArrayList<>(List.of(String.format(Locale.ROOT, "%,d", rate), String.format(Locale.ROOT, "%,d", sent),
        String.format(Locale.ROOT, "%,.0f", sent / sendSeconds), String.format(Locale.ROOT, "%,d", landed),
        String.format(Locale.ROOT, "%,d", sent - landed), String.format(Locale.ROOT, "%.1f", drain),
        String.format(Locale.ROOT, "%,.0f", landed / (sendSeconds + drain)),
        Long.toString(drops), landed == sent && bytesMatch ? "yes" : "no"));
    long worked = landedInRun;
    // Datagrams the kernel dropped never reached the collector: upstream of Kafka the work is the records received.
    long received = Math.max(0, sent - drops * IpfixGenerator.RECORDS_PER_DATAGRAM);
    for (String name : pids.keySet()) {
      row.add(CpuMeter.microsPerRecord(cpu.get(name), perRecordOf(name, sent, received, worked)));
    }
    // The pipeline's sum: n/a when nothing landed, as each process's own column says (no division by zero).
    row.add(pipelineSum(cpu, CpuMeter::micros, sent, received, worked));
    CpuAccount taskManager = cpu.get("flink-taskmanager");
    row.add(taskManager == null || worked <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2f",
        CpuMeter.microsLessJit(taskManager, worked)));
    row.add(pipelineSum(cpu, CpuMeter::microsLessJit, sent, received, worked));
    for (String name : pids.keySet()) {
      row.add(Long.toString(cpu.get(name).rssKiB() / 1024));
    }
    out.printf("  landed %,d of %,d (drain %.1f s, kernel drops %d); %,d records landed during the run in all%n",
        landed, sent, drain, drops, landedInRun);
    return row;
  }

  /** Sends at {@code rate} for the warm-up time and waits (up to the drain time) until it has landed. */
  private void warmUp(int rate, long domain, int port, ClickHouseHttp db, PrintWriter out) throws Exception {
    out.printf("warming up: %,d records/s for %d s (observation domain %d)...%n", rate, warmupSeconds, domain);
    out.flush();
    long sent = send(rate, domain, port, warmupSeconds).records;
    long deadline = System.currentTimeMillis() + drainSeconds * 1000L;
    long landed = 0;
    while (System.currentTimeMillis() < deadline && landed < sent) {
      Thread.sleep(500);
      landed = Long.parseLong(db.scalar(
          "SELECT count() FROM flows WHERE exporter_name = 'bench-ipfix' AND observation_domain = " + domain));
    }
    out.printf("  warm-up landed %,d of %,d%n", landed, sent);
  }

  /** Paces datagrams in 1 ms slots so the rate holds over the whole period. */
  private IpfixGenerator send(int rate, long domain, int port) throws IOException, InterruptedException {
    return send(rate, domain, port, seconds);
  }

  private IpfixGenerator send(int rate, long domain, int port, int seconds) throws IOException, InterruptedException {
    IpfixGenerator generator = new IpfixGenerator(domain, domain);
    ByteBuffer buf = ByteBuffer.allocate(1500);
    InetAddress collector = InetAddress.getLoopbackAddress();
    long datagrams = 0;
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.3.1", 0))) {
      long start = System.nanoTime();
      long end = start + seconds * 1_000_000_000L;
      while (true) {
        long now = System.nanoTime();
        if (now >= end) {
          break;
        }
        long due = (long) ((now - start) / 1e9 * rate / IpfixGenerator.RECORDS_PER_DATAGRAM);
        while (datagrams < due) {
          int length = generator.next(buf, System.currentTimeMillis());
          socket.send(new DatagramPacket(buf.array(), 0, length, collector, port));
          datagrams++;
        }
        Thread.sleep(1);
      }
    }
    return generator;
  }

  private static Process startCollector(StackSettings settings, int ipfixPort, int metricsPort) throws Exception {
    Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(java, "-Xmx1g", "-Dsluice.home=" + settings.repoRoot(), "-jar", jar.toString(), "collect",
        "--kafka", settings.kafkaBootstrap(), "--bind", "127.0.0.1", "--sflow-port", "0", "--netflow-port", "0",
        "--ipfix-port", Integer.toString(ipfixPort), "--metrics-port", Integer.toString(metricsPort),
        "--collector-id", "bench")
        .redirectErrorStream(true)
        .redirectOutput(settings.workDir().resolve("bench-collector.log").toFile())
        .start();
  }

  /** The processes whose CPU per record the target counts: collector + Kafka + TaskManager. */
  private static final String PIPELINE = "collector+kafka+taskmanager";
  private static final List<String> PIPELINE_PROCESSES = List.of("collector", "kafka", "flink-taskmanager");

  /** The pipeline processes' µs per record, summed; "n/a" when nothing was received or landed. */
  private static String pipelineSum(Map<String, CpuAccount> cpu, ToDoubleBiFunction<CpuAccount, Long> micros,
      long sent, long received, long worked) {
    if (worked <= 0 || received <= 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2f", PIPELINE_PROCESSES.stream().filter(cpu::containsKey)
        .mapToDouble(name -> micros.applyAsDouble(cpu.get(name), perRecordOf(name, sent, received, worked))).sum());
  }

  /**
   * Downstream of Kafka, a process has worked on the records landed; up to Kafka, on the records the collector
   * received (sent less the kernel's drops); the generator, on the records it sent.
   */
  static long perRecordOf(String process, long sent, long received, long landed) {
    return DOWNSTREAM.contains(process) ? landed : process.equals("generator") ? sent : received;
  }

  private static final List<String> DOWNSTREAM = List.of("flink-taskmanager", "flink-jobmanager", "clickhouse");

  /** Each process by name, its pid looked up at every reading (a restarted TaskManager has a new one). */
  static Map<String, Supplier<OptionalLong>> pids(LocalStack stack, Process bench) {
    Map<String, Supplier<OptionalLong>> pids = new LinkedHashMap<>();
    if (bench != null) {
      pids.put("collector", () -> alive(bench));
    }
    for (Service service : stack.services()) {
      for (ManagedProcess process : service.processes()) {
        pids.put(process.name(), () -> process.pid().map(OptionalLong::of).orElse(OptionalLong.empty()));
      }
    }
    long self = ProcessHandle.current().pid();
    pids.put("generator", () -> OptionalLong.of(self));
    return pids;
  }

  private static OptionalLong alive(Process process) {
    return process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
  }

  private static void awaitMetrics(int port) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        metrics(port);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new UserError("the bench collector did not start; see its log in the work directory");
  }

  private static long kernelDrops(int port) throws IOException, InterruptedException {
    Matcher m = KERNEL_DROPS.matcher(metrics(port));
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static String metrics(int port) throws IOException, InterruptedException {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    return response.body();
  }
}
