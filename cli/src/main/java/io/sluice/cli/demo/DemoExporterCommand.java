package io.sluice.cli.demo;

import io.sluice.cli.demo.exporter.DemoExporter;
import io.sluice.cli.demo.exporter.Frames;
import io.sluice.cli.demo.exporter.L7Traffic;
import io.sluice.cli.demo.exporter.PcapFile;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo-exporter", mixinStandardHelpOptions = true,
    description = {"Play demo routers on loopback: two sFlow v5 agents (flow and counter samples), a NetFlow v9 and an",
        "IPFIX exporter (options data with sampling rates, interface and VRF names), each from its own 127.0.0.x",
        "address, sending plausible traffic from a seed (Zipf-picked networks, hosts and clients, IPv4 and IPv6,",
        "real AS numbers and prefixes, common services) at a daily rate curve compressed to --day-minutes.",
        "Runs until stopped (or --duration); `sluice demo` starts it in the background and `sluice down` stops it.",
        "With --pcap it writes --duration seconds of the same datagrams to a pcap file instead of sending them."})
public final class DemoExporterCommand implements Callable<Integer> {
  static final long TICK_MS = 200;

  @Spec CommandSpec spec;

  @Option(names = "--collector", paramLabel = "ADDR", defaultValue = "127.0.0.1", description = "Collector address; loopback only. Default: ${DEFAULT-VALUE}.")
  String collector;

  @Option(names = "--sflow-port", defaultValue = "6343", description = "Default: ${DEFAULT-VALUE}.")
  int sflowPort;

  @Option(names = "--netflow-port", defaultValue = "2055", description = "Default: ${DEFAULT-VALUE}.")
  int netflowPort;

  @Option(names = "--ipfix-port", defaultValue = "4739", description = "Default: ${DEFAULT-VALUE}.")
  int ipfixPort;

  @Option(names = "--rate", paramLabel = "RECORDS", defaultValue = "300",
      description = "Flow records (sFlow samples) per second of all exporters together at the daily peak, 1..5000. Default: ${DEFAULT-VALUE}.")
  int rate;

  @Option(names = "--seed", defaultValue = "1", description = "Same seed, same traffic. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--day-minutes", paramLabel = "MINUTES", defaultValue = "10",
      description = "How long one day of the rate curve lasts, 1..1440. Default: ${DEFAULT-VALUE}.")
  int dayMinutes;

  @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0", description = "Stop after this long; 0 runs until stopped. Default: ${DEFAULT-VALUE}.")
  int durationSeconds;

  @Option(names = "--pcap", paramLabel = "FILE", description = "Write the datagrams to this pcap file (collector address and ports as destination) instead of sending them.")
  Path pcap;

  @Option(names = "--l7", description = "With --pcap: write DNS and HTTP conversations between clients and servers instead of flow exports.")
  boolean l7;

  @Option(names = "--conversations", paramLabel = "N", defaultValue = "5",
      description = "With --l7: conversations started per second, 1..1000. Default: ${DEFAULT-VALUE}.")
  int conversations;

  /**
   * The marker `sluice demo` puts on the command line so `sluice down` knows the process belongs to the work
   * directory; not used otherwise.
   */
  @Option(names = "--work-dir", hidden = true)
  Path workDir;

  @Override
  public Integer call() throws Exception {
    InetAddress target = validate();
    long start = System.currentTimeMillis();
    if (l7) {
      return writeL7(start);
    }
    long dayMillis = dayMinutes * 60_000L;
    // The routers "booted" an hour ago: their uptime counters are not zero.
    List<DemoExporter> fleet = DemoExporter.fleet(seed, dayMillis, start - 3_600_000);
    PrintWriter out = spec.commandLine().getOut();
    for (DemoExporter e : fleet) {
      out.printf("%s: %s from %s to %s:%d, sampling 1:%d%n", e.name(), e.kind(), e.address(), target.getHostAddress(),
          port(e), e.samplingRate());
    }
    out.flush();
    return pcap != null ? writePcap(fleet, target, start) : send(fleet, target, start, out);
  }

  private InetAddress validate() {
    CommandLine cli = spec.commandLine();
    InetAddress target;
    try {
      target = InetAddress.getByName(collector);
    } catch (UnknownHostException e) {
      throw new CommandLine.ParameterException(cli, "--collector must be a loopback address, got \"" + collector + "\"");
    }
    if (!target.isLoopbackAddress()) {
      throw new CommandLine.ParameterException(cli, "--collector must be a loopback address (the demo never sends off this machine), got " + collector);
    }
    for (int[] port : new int[][] {{sflowPort}, {netflowPort}, {ipfixPort}}) {
      if (port[0] < 1 || port[0] > 65535) {
        throw new CommandLine.ParameterException(cli, "ports must be 1..65535, got " + port[0]);
      }
    }
    if (rate < 1 || rate > 5000) {
      throw new CommandLine.ParameterException(cli, "--rate must be 1..5000 records/s, got " + rate);
    }
    if (dayMinutes < 1 || dayMinutes > 1440) {
      throw new CommandLine.ParameterException(cli, "--day-minutes must be 1..1440, got " + dayMinutes);
    }
    if (durationSeconds < 0) {
      throw new CommandLine.ParameterException(cli, "--duration must be 0 or more seconds, got " + durationSeconds);
    }
    if (l7 && pcap == null) {
      throw new CommandLine.ParameterException(cli, "--l7 needs --pcap FILE (the conversations are written, not sent)");
    }
    if (conversations < 1 || conversations > 1000) {
      throw new CommandLine.ParameterException(cli, "--conversations must be 1..1000 per second, got " + conversations);
    }
    if (pcap != null && durationSeconds == 0) {
      throw new CommandLine.ParameterException(cli, "--pcap needs --duration SECONDS (how much traffic to write)");
    }
    return target;
  }

  private int port(DemoExporter e) {
    return switch (e.kind()) {
      case SFLOW -> sflowPort;
      case NETFLOW9 -> netflowPort;
      case IPFIX -> ipfixPort;
    };
  }

  /** Records each exporter makes in one tick: its share of the rate at this time of the demo day, carried over. */
  static int[] recordsThisTick(List<DemoExporter> fleet, int rate, long nowMs, double[] carry) {
    int[] n = new int[fleet.size()];
    for (int i = 0; i < fleet.size(); i++) {
      carry[i] += rate * fleet.get(i).model().rateFactor(nowMs) * TICK_MS / 1000.0 / fleet.size();
      n[i] = (int) carry[i];
      carry[i] -= n[i];
    }
    return n;
  }

  private int send(List<DemoExporter> fleet, InetAddress target, long start, PrintWriter out) throws Exception {
    List<DatagramSocket> sockets = new ArrayList<>();
    try {
      for (DemoExporter e : fleet) {
        sockets.add(new DatagramSocket(new InetSocketAddress(e.address(), 0)));
      }
      double[] carry = new double[fleet.size()];
      long sent = 0;
      long next = start;
      while (durationSeconds == 0 || System.currentTimeMillis() < start + durationSeconds * 1000L) {
        long now = System.currentTimeMillis();
        int[] n = recordsThisTick(fleet, rate, now, carry);
        for (int i = 0; i < fleet.size(); i++) {
          for (byte[] d : fleet.get(i).tick(now, n[i], null)) {
            sockets.get(i).send(new DatagramPacket(d, d.length, target, port(fleet.get(i))));
            sent++;
          }
        }
        next += TICK_MS;
        long sleep = next - System.currentTimeMillis();
        if (sleep > 0) {
          Thread.sleep(sleep);
        } else {
          next = System.currentTimeMillis(); // behind (a stopped machine): skip ahead rather than burst
        }
      }
      out.println("sent " + sent + " datagrams");
      return 0;
    } finally {
      sockets.forEach(DatagramSocket::close);
    }
  }

  private int writeL7(long start) throws IOException {
    createParent();
    List<L7Traffic.Frame> frames = L7Traffic.capture(seed, durationSeconds * conversations, start * 1000, 1_000_000 / conversations);
    try (PcapFile file = new PcapFile(new BufferedOutputStream(Files.newOutputStream(pcap)))) {
      for (L7Traffic.Frame f : frames) {
        file.write(f.timeMicros(), f.data());
      }
    }
    spec.commandLine().getOut().println("wrote " + durationSeconds * conversations + " DNS and HTTP conversations ("
        + frames.size() + " frames) to " + pcap);
    return 0;
  }

  private void createParent() throws IOException {
    Path parent = pcap.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }

  private int writePcap(List<DemoExporter> fleet, InetAddress target, long start) throws IOException {
    createParent();
    double[] carry = new double[fleet.size()];
    long frames = 0;
    try (PcapFile file = new PcapFile(new BufferedOutputStream(Files.newOutputStream(pcap)))) {
      for (long now = start; now < start + durationSeconds * 1000L; now += TICK_MS) {
        int[] n = recordsThisTick(fleet, rate, now, carry);
        for (int i = 0; i < fleet.size(); i++) {
          DemoExporter e = fleet.get(i);
          for (byte[] d : e.tick(now, n[i], null)) {
            file.write(now * 1000, Frames.udp(InetAddress.getByName(e.address()).getAddress(), target.getAddress(),
                40000 + i, port(e), d));
            frames++;
          }
        }
      }
    }
    spec.commandLine().getOut().println("wrote " + frames + " datagrams to " + pcap);
    return 0;
  }
}
