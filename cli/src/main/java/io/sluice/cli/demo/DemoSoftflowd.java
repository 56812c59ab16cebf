package io.sluice.cli.demo;

import io.sluice.stack.StackSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * softflowd exporting real traffic: a network namespace joined to this one by a veth pair, a bounded loop of UDP
 * datagrams (four ports, 50 × 1,400 bytes each a second) and a TCP connection attempt from the namespace to the
 * host end (answered by ICMP port unreachable and a TCP reset), and softflowd watching the host end, exporting
 * IPFIX to the collector. Needs root (namespaces,
 * veth) and softflowd; the names and the /30 derive from the work directory, so two demos do not collide.
 */
final class DemoSoftflowd {
  static final String NAME = "demo-softflowd";
  static final String EXPORTER = "127.0.0.1";
  /** The loop's bound: one round a second for 10 minutes, five flows (about 280 kB) a round. */
  static final int ROUNDS = 600;

  private DemoSoftflowd() {}

  static String namespace(StackSettings s) {
    return "sluice-demo-" + tag(s);
  }

  static String tag(StackSettings s) {
    return String.format("%08x", s.workDir().toAbsolutePath().normalize().toString().hashCode());
  }

  private static String hostInterface(StackSettings s) {
    return "sdv" + tag(s);
  }

  /** 169.254.X.Y/30 from the work directory: the host end is .1 of it, the namespace end .2. */
  private static String[] addresses(StackSettings s) {
    int h = s.workDir().toAbsolutePath().normalize().toString().hashCode() & 0x7fffffff;
    String net = "169.254." + (1 + h % 250) + ".";
    int base = 4 * ((h / 250) % 63);
    return new String[] {net + (base + 1), net + (base + 2)};
  }

  /** Why softflowd cannot run here, or null when it can. */
  static String missing() {
    if (!Files.isExecutable(Path.of("/usr/sbin/softflowd"))) {
      return "softflowd is not installed: apt-get install -y softflowd (as root)";
    }
    String why = missingRootOrIp();
    return why == null ? null : why + " for softflowd's part";
  }

  /** Why network namespaces cannot be made here (ip missing, not root), or null when they can. */
  static String missingRootOrIp() {
    if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
      return "ip is not installed: apt-get install -y iproute2 (as root)";
    }
    try {
      boolean root = Files.readAllLines(Path.of("/proc/self/status")).stream()
          .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
      return root ? null : "network namespaces need root: run ./sluice demo as root";
    } catch (IOException e) {
      return "cannot read /proc/self/status: " + e.getMessage();
    }
  }

  /** Sets up the namespace and starts softflowd and the traffic; false (with the reason printed) when it cannot. */
  static boolean start(StackSettings s, int collectorPort, PrintWriter out) throws IOException, InterruptedException {
    String why = missing();
    if (why != null) {
      out.println("softflowd: skipped, " + why);
      return false;
    }
    String ns = namespace(s);
    String host = hostInterface(s);
    String[] addr = addresses(s);
    if (!namespaces().contains(ns)) {
      ip("netns", "add", ns);
      ip("link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip("addr", "add", addr[0] + "/30", "dev", host);
      ip("link", "set", host, "up");
      ip("-n", ns, "addr", "add", addr[1] + "/30", "dev", "eth0");
      ip("-n", ns, "link", "set", "eth0", "up");
      ip("-n", ns, "link", "set", "lo", "up");
    }
    Path work = s.workDir().toAbsolutePath().normalize();
    Path dir = work.resolve("demo");
    Files.createDirectories(dir);
    // softflowd's control socket and pid file name the work directory, which ManagedProcess checks before a stop.
    long softflowd = DemoProcesses.process(s, NAME).start(List.of("/usr/sbin/softflowd", "-d", "-i", host,
        "-n", "127.0.0.1:" + collectorPort, "-v", "10", "-c", dir.resolve("softflowd.ctl").toString(),
        "-p", dir.resolve("softflowd.pid").toString(), "-t", "udp=10", "-t", "icmp=10", "-t", "tcp.rst=10",
        "-t", "general=10", "-t", "maxlife=30", "-t", "expint=5"), work);
    // 50 datagrams of 1,400 bytes per port and round, on one socket each: softflowd's libpcap delivers packets a
    // buffer block at a time (no timeout), and a trickle would take minutes to fill one.
    String script = "for i in $(seq 1 " + ROUNDS + "); do "
        + "for p in 53 123 514 8080; do exec 3>/dev/udp/" + addr[0] + "/$p; "
        + "for j in $(seq 1 50); do printf '%1400s' \"$i\" >&3; done 2>/dev/null; exec 3>&-; done; "
        + "(exec 3<>/dev/tcp/" + addr[0] + "/22) 2>/dev/null; sleep 1; done";
    // bash's $0 is the work directory: the marker stays on the command line of the loop itself.
    long traffic = DemoProcesses.process(s, "demo-ns-traffic").start(List.of("ip", "netns", "exec", ns, "bash", "-c",
        script, work.toString()), work);
    out.printf("softflowd (pid %d) on %s, IPFIX to :%d from %s; traffic (pid %d) from namespace %s (%s) to %s,"
        + " %d rounds of 5 flows, one a second%n", softflowd, host, collectorPort, EXPORTER, traffic, ns, addr[1], addr[0], ROUNDS);
    return true;
  }

  /** Deletes the demo's namespace (its veth pair goes with it); returns whether there was one. */
  static boolean removeNamespace(StackSettings s) {
    try {
      if (missingRootOrIp() == null && namespaces().contains(namespace(s))) {
        ip("netns", "del", namespace(s));
        return true;
      }
    } catch (IOException | InterruptedException e) {
      // reported by the caller as nothing removed
    }
    return false;
  }

  static List<String> namespaces() throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    for (String line : run(List.of("ip", "netns", "list")).lines().toList()) {
      if (!line.isBlank()) {
        names.add(line.split("\\s+")[0]);
      }
    }
    return names;
  }

  static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    run(command);
  }

  static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.strip());
    }
    return output;
  }
}
