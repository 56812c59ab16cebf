package io.sluice.ebpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces made for one test, joined by a veth pair: server 10.200.N.1, client 10.200.N.2
 * (addresses that exist only inside these namespaces), plus a child cgroup for the client tools.
 * close() kills what it started and removes the namespaces (with the veth), the cgroup and its directory.
 */
final class NetLab implements AutoCloseable {
  final String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
  final int subnet = ThreadLocalRandom.current().nextInt(1, 250);
  final String server = "slcs-" + id;
  final String client = "slcc-" + id;
  final String serverVeth = "slvs" + id;
  final String clientVeth = "slvc" + id;
  final String serverIp = "10.200." + subnet + ".1";
  final String clientIp = "10.200." + subnet + ".2";
  final Path dir;
  final Path cgroup;
  private final List<Process> daemons = new ArrayList<>();

  NetLab() throws IOException {
    dir = Files.createTempDirectory("sluice-netlab-");
    Path root = Cgroups.findRoot();
    cgroup = root == null ? null : root.resolve("sluice-test-" + id);
    try {
      sh("ip netns add " + server);
      sh("ip netns add " + client);
      sh("ip link add " + serverVeth + " netns " + server + " type veth peer name " + clientVeth + " netns " + client);
      sh("ip -n " + server + " addr add " + serverIp + "/24 dev " + serverVeth);
      sh("ip -n " + client + " addr add " + clientIp + "/24 dev " + clientVeth);
      for (String ns : List.of(server, client)) {
        sh("ip -n " + ns + " link set lo up");
      }
      sh("ip -n " + server + " link set " + serverVeth + " up");
      sh("ip -n " + client + " link set " + clientVeth + " up");
      if (cgroup != null) {
        Files.createDirectory(cgroup);
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  long cgroupId() throws IOException {
    return ((Number) Files.getAttribute(cgroup, "unix:ino")).longValue();
  }

  /** Runs a command in a namespace, in this lab's cgroup when inCgroup; returns stdout, fails on exit != 0. */
  String exec(String ns, boolean inCgroup, String command) {
    // Joins the cgroup before `ip netns exec`, which mounts a fresh /sys where the cgroup tree is not visible.
    String join = inCgroup ? "echo $$ > " + cgroup.resolve("cgroup.procs") + " && " : "";
    return run(List.of("sh", "-c", join + "exec ip netns exec " + ns + " sh -c '" + command + "'"), 30);
  }

  /** A daemon in a namespace, killed by close(); the process is the command itself (both shells exec it). */
  Process daemon(String ns, String command, String logName) throws IOException {
    Process p = new ProcessBuilder("ip", "netns", "exec", ns, "sh", "-c", "exec " + command)
        .redirectErrorStream(true).redirectOutput(dir.resolve(logName).toFile()).start();
    daemons.add(p);
    return p;
  }

  /** Waits until something listens on this TCP port in the namespace (ss: no probe connection to capture). */
  void waitListening(String ns, int port) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!sh("ip netns exec " + ns + " ss -ltnH sport = :" + port).contains(":" + port)) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("nothing listens on port " + port + " in " + ns);
      }
      Thread.sleep(50);
    }
  }

  String log(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** count datagrams of size payload bytes to a port of the server, from one new socket in the client namespace. */
  void sendDatagrams(NetNs clientNs, int count, int port, int size) {
    clientNs.call(() -> {
      try (java.nio.channels.DatagramChannel ch = java.nio.channels.DatagramChannel.open()) {
        java.net.InetSocketAddress to = new java.net.InetSocketAddress(serverIp, port);
        for (int i = 0; i < count; i++) {
          ch.send(java.nio.ByteBuffer.allocate(size), to);
        }
      }
      return null;
    });
  }

  static String sh(String command) {
    return run(List.of("sh", "-c", command), 30);
  }

  static String run(List<String> cmd, int timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + cmd);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(cmd + " exited " + p.exitValue() + ": " + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : daemons) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String ns : List.of(server, client)) {
      try {
        sh("ip netns pids " + ns + " | xargs -r kill -9; ip netns del " + ns);
      } catch (RuntimeException ignored) {
        // never created
      }
    }
    if (cgroup != null) {
      for (int i = 0; i < 50 && Files.isDirectory(cgroup); i++) {
        try {
          Files.delete(cgroup);
        } catch (IOException e) {
          try {
            Thread.sleep(100);  // its last processes are still exiting
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
    }
    io.sluice.stack.TestStack.deleteTree(dir); // its daemons (the only writers of their logs there) are gone
  }
}
