package io.sluice.cli.capture;

import io.sluice.cli.MetricsBind;
import io.sluice.cli.UserError;
import io.sluice.ebpf.Loader;
import io.sluice.ebpf.LoaderConfig;
import io.sluice.ebpf.TcAttacher;
import io.sluice.ebpf.ffi.BpfException;
import io.sluice.ingest.DefaultEndpoints;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "capture", mixinStandardHelpOptions = true,
    description = {"Capture packets (tc, eBPF) and socket events on this node into Kafka sluice.packets.raw and",
        "sluice.sockets.raw, until SIGTERM or Ctrl-C; then detach everything. Needs root or CAP_BPF, CAP_PERFMON,",
        "CAP_NET_ADMIN (and CAP_SYS_ADMIN with --netns). Prometheus metrics on http://METRICS-BIND:METRICS-PORT/metrics."})
public final class CaptureCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--iface", paramLabel = "NAME", description = "Interface to capture on (repeatable). Default: all, including ones created later.")
  List<String> interfaces = new ArrayList<>();

  @Option(names = "--ports", split = ",", paramLabel = "PORT", description = "TCP/UDP ports to capture (either end), or `all`. Default: 53,80,8080,8000,5353.")
  List<String> ports;

  @Option(names = "--cidr", paramLabel = "CIDR", description = "Only packets with an end in this prefix (repeatable).")
  List<String> cidrs = new ArrayList<>();

  @Option(names = "--snap", paramLabel = "N", defaultValue = "256", description = "Payload bytes kept after the L4 header (0..1914). Default: ${DEFAULT-VALUE}.")
  int snap;

  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", defaultValue = DefaultEndpoints.KAFKA, description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
  String kafka;

  @picocli.CommandLine.Mixin
  io.sluice.cli.KafkaConfigOption kafkaConfig = new io.sluice.cli.KafkaConfigOption();

  @Option(names = "--netns", paramLabel = "NAME", description = "Capture inside this named network namespace (ip netns).")
  String netns;

  @Option(names = "--ring-mb", defaultValue = "16", description = "Ring buffer size in MiB (a power of two). Default: ${DEFAULT-VALUE}.")
  int ringMb;

  @Option(names = "--keep-pure-acks", description = "Also capture TCP segments without payload, SYN, FIN or RST (the L7 job does not need them; by default they are only counted).")
  boolean keepPureAcks;

  @Option(names = "--no-packet-batches", description = "One Kafka record per packet (CapturedPacket) instead of one CapturedPacketBatch per partition per drain: for L7 jobs older than the batch format.")
  boolean noPacketBatches;

  @Option(names = "--tc-attach", paramLabel = "HOW", defaultValue = "auto", description = "How the capture attaches to interfaces: tcx (links, Linux 6.6+), clsact (tc filters), or auto (tcx where the kernel has it). Default: ${DEFAULT-VALUE}.")
  String tcAttach;

  @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/run/sluice/ebpf-loader", description = "Where the loader notes what it attached, to clean up after a crash. Default: ${DEFAULT-VALUE}.")
  java.nio.file.Path stateDir;

  @Option(names = "--metrics-port", defaultValue = "" + DefaultEndpoints.LOADER_METRICS_PORT, description = "Prometheus /metrics port; 0 turns it off. Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Option(names = "--metrics-bind", paramLabel = "ADDR", defaultValue = DefaultEndpoints.HOST,
      description = "Address /metrics binds; in Kubernetes the pod IP (status.podIP). Default: ${DEFAULT-VALUE}.")
  String metricsBind;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (Integer.bitCount(ringMb) != 1 || ringMb > 512) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--ring-mb must be a power of two up to 512, got " + ringMb);
    }
    if (snap < 0 || snap > LoaderConfig.MAX_SNAP) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--snap must be 0.." + LoaderConfig.MAX_SNAP + ", got " + snap);
    }
    MetricsBind.check(spec, metricsBind);
    TcAttacher.Mode tcMode = switch (tcAttach) {
      case "auto" -> null;
      case "tcx" -> TcAttacher.Mode.TCX;
      case "clsact" -> TcAttacher.Mode.CLSACT;
      default -> throw new CommandLine.ParameterException(spec.commandLine(), "--tc-attach must be auto, tcx or clsact, got " + tcAttach);
    };
    LoaderConfig config = LoaderConfig.defaults().withInterfaces(interfaces).withPorts(parsePorts()).withCidrs(cidrs)
        .withSnapLen(snap).withKafka(kafkaConfig.connection(kafka)).withNetns(netns).withRingBytes(ringMb << 20)
        .withMetricsPort(metricsPort == 0 ? null : metricsPort).withMetricsBind(metricsBind).withSkipPureAcks(!keepPureAcks)
        .withPacketBatches(!noPacketBatches).withTcMode(tcMode).withStateDir(stateDir);
    Loader loader;
    try {
      loader = Loader.start(config, null);
    } catch (BpfException e) {
      throw new UserError(e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      loader.close();
      stopped.countDown();
    }, "sluice-capture-stop"));
    out.println("capturing on " + loader.attachedInterfaces().values() + (netns == null ? "" : " in netns " + netns)
        + "; hooks " + loader.choices() + "; Ctrl-C to stop");
    out.flush();
    stopped.await();
    return 0;
  }

  private List<Integer> parsePorts() {
    if (ports == null) {
      return LoaderConfig.DEFAULT_PORTS;
    }
    if (ports.size() == 1 && ports.get(0).equals("all")) {
      return List.of();
    }
    List<Integer> out = new ArrayList<>();
    for (String p : ports) {
      try {
        int v = Integer.parseInt(p.trim());
        if (v < 1 || v > 65535) {
          throw new NumberFormatException();
        }
        out.add(v);
      } catch (NumberFormatException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--ports takes 1..65535 or `all`, got \"" + p + "\"");
      }
    }
    return out;
  }
}
