package io.sluice.ebpf.bench;

import io.sluice.ebpf.Loader;
import io.sluice.ebpf.LoaderConfig;
import io.sluice.ebpf.NetLabAccess;
import io.sluice.ebpf.NetNs;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * BENCHMARKS.md "eBPF loader". drain: a bounded UDP burst over the veth is captured into the ring buffer while
 * the loader does not poll, then timed while one thread drains and encodes it. overhead: nginx under wrk with
 * and without the loader. Usage: CaptureBench drain PACKETS | overhead SECONDS.
 */
public final class CaptureBench {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("drain")) {
      drain(Integer.parseInt(args[1]));
    } else {
      overhead(Integer.parseInt(args[1]));
    }
    System.exit(0);
  }

  static void drain(int packets) throws Exception {
    try (var lab = NetLabAccess.open()) {
      Path state = Files.createTempDirectory("sluice-bench-");
      LoaderConfig c = LoaderConfig.defaults().withNetns(NetLabAccess.client(lab)).withPorts(List.of(9)).withSnapLen(128)
          .withRingBytes(256 << 20).withMetricsPort(null).withStateDir(state).withUdpAttribution(false);
      try (Loader loader = Loader.start(c, new NullProducer()); NetNs ns = new NetNs(NetLabAccess.client(lab))) {
        loader.pause(true);
        Thread.sleep(200);
        long sendStart = System.nanoTime();
        ns.call(() -> {
          try (DatagramChannel ch = DatagramChannel.open()) {
            // unconnected: the server's ICMP port-unreachable replies must not fail the sends
            InetSocketAddress to = new InetSocketAddress(NetLabAccess.serverIp(lab), 9);
            ByteBuffer b = ByteBuffer.allocate(128);
            for (int i = 0; i < packets; i++) {
              b.clear();
              b.putInt(0, i);
              ch.send(b, to);
            }
          }
          return null;
        });
        double sendSec = (System.nanoTime() - sendStart) / 1e9;
        long[] k = loader.maps().counters();
        long captured = k[1];
        long t0 = System.nanoTime();
        loader.pause(false);
        while (loader.metrics().polledPackets() < captured) {
          Thread.sleep(1);
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        k = loader.maps().counters();
        System.out.printf("burst: %d sent in %.2f s (%.0f pps); captured %d, ring-buffer full %d%n",
            packets, sendSec, packets / sendSec, captured, k[2]);
        System.out.printf("drain: %d records polled+encoded in %.3f s = %.0f records/s on one thread%n",
            loader.metrics().polledPackets(), sec, loader.metrics().polledPackets() / sec);
      }
    }
  }

  static void overhead(int seconds) throws Exception {
    try (var lab = NetLabAccess.open()) {
      NetLabAccess.startServers(lab);
      double without = wrk(lab, seconds, null);
      Path state = Files.createTempDirectory("sluice-bench-");
      LoaderConfig c = LoaderConfig.defaults().withNetns(NetLabAccess.server(lab)).withMetricsPort(null).withStateDir(state);
      double with;
      long cpu0 = processCpuNs();
      try (Loader loader = Loader.start(c, new NullProducer())) {
        with = wrk(lab, seconds, loader);
        System.out.printf("loader: %d packets captured, %d ring-buffer full%n", loader.maps().counters()[1], loader.maps().counters()[2]);
      }
      System.out.printf("(loader JVM incl. start: %.2f s CPU)%n", (processCpuNs() - cpu0) / 1e9);
      System.out.printf("nginx CPU per request: without %.2f us, with %.2f us; at 10,000 req/s the loader adds %.2f%% of one core (nginx side)%n",
          without, with, (with - without) * 10_000 / 1e4);
    }
  }

  /** Runs wrk against nginx; returns nginx CPU µs per request, and prints the loader's drain-thread CPU. */
  static double wrk(Object lab, int seconds, Loader loader) throws Exception {
    long pid = NetLabAccess.nginxPid(lab);
    long before = procCpuNs(pid);
    long loaderBefore = processCpuNs();
    String out = NetLabAccess.exec(lab, "wrk -t1 -c16 -d" + seconds + "s http://" + NetLabAccess.serverIp(lab) + "/");
    long after = procCpuNs(pid);
    long loaderAfter = processCpuNs();
    long requests = 0;
    for (String line : out.split("\n")) {
      if (line.contains("requests in")) {
        requests = Long.parseLong(line.trim().split(" ")[0]);
      }
    }
    double perReq = (after - before) / 1e3 / requests;
    System.out.printf("%s loader: %d requests in %d s (%.0f req/s), nginx %.2f us CPU/request%s%n",
        loader == null ? "without" : "with", requests, seconds, requests / (double) seconds, perReq,
        loader == null ? "" : String.format(", loader JVM %.2f us CPU/request (%d packets drained)",
            (loaderAfter - loaderBefore) / 1e3 / requests, loader.metrics().polledPackets()));
    return perReq;
  }

  static long procCpuNs(long pid) throws Exception {
    String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll(".*\\) ", "").split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;  // utime+stime, 100 Hz ticks
  }

  static long processCpuNs() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
