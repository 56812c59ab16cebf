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
 * the loader does not poll, then timed while one thread drains and encodes it. overhead: nginx under a fixed
 * request rate (wrk with a pacing script) with and without the loader. Usage: CaptureBench drain PACKETS |
 * overhead SECONDS REQUESTS_PER_SECOND ROUNDS [close] [warm=SECONDS] [VARIANT ...] |
 * bpf-stats SECONDS REQUESTS_PER_SECOND [close] [ring=MiB] [snap=BYTES] [ports=P,Q] | idle SECONDS | h2 ROUNDS |
 * tls ROUNDS.
 */
public final class CaptureBench {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("drain")) {
      drain(Integer.parseInt(args[1]));
    } else if (args[0].equals("h2")) {
      liveCost("h2", Integer.parseInt(args[1]), NetLabAccess::startH2Server, NetLabAccess::h2Run, "frame-aware", "stream");
    } else if (args[0].equals("tls")) {
      liveCost("tls", Integer.parseInt(args[1]), NetLabAccess::startTlsServer, NetLabAccess::tlsRun, "handshakes kept",
          "handshake");
    } else if (args[0].equals("idle")) {
      idle(Integer.parseInt(args[1]));
    } else if (args[0].equals("bpf-stats")) {
      int ringMb = LoaderConfig.defaults().ringBytes() >> 20;
      int snap = LoaderConfig.defaults().snapLen();
      List<Integer> ports = LoaderConfig.defaults().ports();
      for (String a : List.of(args).subList(3, args.length)) {
        if (a.equals("close")) {
          close = true;
        } else if (a.startsWith("ring=")) {
          ringMb = Integer.parseInt(a.substring(5));
        } else if (a.startsWith("snap=")) {
          snap = Integer.parseInt(a.substring(5));
        } else if (a.startsWith("ports=")) {
          ports = java.util.Arrays.stream(a.substring(6).split(",")).map(Integer::valueOf).toList();
        }
      }
      try (var lab = NetLabAccess.open()) {
        NetLabAccess.startServers(lab);
        Path state = Files.createTempDirectory("sluice-bench-");
        bpfStats(lab, Integer.parseInt(args[1]), Integer.parseInt(args[2]), LoaderConfig.defaults()
            .withNetns(NetLabAccess.server(lab)).withMetricsPort(null).withStateDir(state).withRingBytes(ringMb << 20).withSnapLen(snap).withPorts(ports));
      }
    } else {
      int warm = 60;
      List<String> variants = new java.util.ArrayList<>();
      for (String a : List.of(args).subList(4, args.length)) {
        if (a.equals("close")) {
          close = true;
        } else if (a.startsWith("warm=")) {
          warm = Integer.parseInt(a.substring(5));
        } else if (a.equals("capture-only")) {
          captureOnly = true;
        } else {
          variants.add(a);
        }
      }
      overhead(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), warm,
          variants.isEmpty() ? List.of("batched") : variants);
    }
    System.exit(0);
  }

  /** The loader's CPU with nothing to capture: the ring buffer's wait and the interface watcher. */
  static void idle(int seconds) throws Exception {
    try (var lab = NetLabAccess.open()) {
      Path state = Files.createTempDirectory("sluice-bench-");
      LoaderConfig c = LoaderConfig.defaults().withNetns(NetLabAccess.server(lab)).withMetricsPort(null).withStateDir(state);
      try (Loader loader = Loader.start(c, new NullProducer())) {
        Thread.sleep(10_000);  // start-up and its JIT compilation
        long j0 = processCpuNs();
        long d0 = threadCpuNs("sluice-ringbuf");
        Thread.sleep(seconds * 1000L);
        System.out.printf("idle %d s: JVM %.2f ms CPU = %.3f %% of one core, drain thread %.2f ms; %d records (load %s)%n",
            seconds, (processCpuNs() - j0) / 1e6, (processCpuNs() - j0) / 1e7 / seconds, (threadCpuNs("sluice-ringbuf") - d0) / 1e6,
            loader.metrics().polledPackets() + loader.metrics().polledSockets(), Files.readString(Path.of("/proc/loadavg")).trim());
      }
    }
  }

  /** Whether each request has its own connection (wrk sends "Connection: close"). */
  static boolean close;
  /** Whether each round also has a run with packet capture alone (the socket programs detached). */
  static boolean captureOnly;

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
        long cpu0 = processCpuNs();
        loader.pause(false);
        while (loader.metrics().polledPackets() < captured) {
          if (System.nanoTime() - t0 > 60_000_000_000L) {
            throw new IllegalStateException("drained only " + loader.metrics().polledPackets() + " of " + captured);
          }
          Thread.sleep(1);
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        double cpuSec = (processCpuNs() - cpu0) / 1e9;
        k = loader.maps().counters();
        System.out.printf("burst: %d sent in %.2f s (%.0f pps); captured %d, ring-buffer full %d%n",
            packets, sendSec, packets / sendSec, captured, k[2]);
        System.out.printf("drain: %d records polled+encoded in %.3f s = %.0f records/s on one thread; JVM CPU %.3f s = %.0f ns/record (load %s)%n",
            loader.metrics().polledPackets(), sec, loader.metrics().polledPackets() / sec, cpuSec,
            cpuSec * 1e9 / loader.metrics().polledPackets(), Files.readString(Path.of("/proc/loadavg")).trim());
      }
    }
  }

  /**
   * The agent's cost at a fixed request rate, as a node agent runs: one loader per variant, started once and kept
   * running, its start-up (warm seconds under load; mostly the JIT compiler's work, reported on its own) left out.
   * Then rounds of two runs each, interleaved so the machine's drift falls on both alike: without (the loader
   * suspended: every BPF program detached, its threads idle; see Loader.suspend) and with. Runs with no loader in
   * the JVM at all, before the first variant, show what the idle loader itself costs. The loader makes its own
   * KafkaProducer (Loader.producerConfig: batching, lz4, acks=1) sending to a real broker in the host namespace,
   * whose CPU (another process) is not counted. Variants: batched (as deployed), unbatched (a record per packet),
   * lz4-off (compression.type=none), ring2 (a 2 MiB ring buffer), gather250 (drained every 250 ms), no-udp (no
   * UDP sender program), clsact (tc filters instead of tcx links), zstd or zstd:LEVEL (compression.type=zstd),
   * lingerN (the producer's linger.ms), fresh-batches (a fresh array per batch, as before batch arrays were reused),
   * null (a producer that acknowledges at once, no broker). With capture-only, each round also runs the loader with
   * its socket programs detached (Loader.socketHooks), so the difference is what the socket tracepoints cost.
   */
  static void overhead(int seconds, int rate, int rounds, int warm, List<String> variants) throws Exception {
    try (var lab = NetLabAccess.open()) {
      NetLabAccess.startServers(lab);
      Path state = Files.createTempDirectory("sluice-bench-");
      String prefix = "bench" + ProcessHandle.current().pid() + ".";
      LoaderConfig c = LoaderConfig.defaults().withNetns(NetLabAccess.server(lab)).withMetricsPort(null).withStateDir(state)
          .withKafka(NetLabAccess.kafka(prefix)).withTopicPrefix(prefix);
      rate(lab, 10, rate, null, "warm-up");  // nginx, the client's connections, the broker's own start-up
      java.util.Map<String, List<Double>> total = new java.util.LinkedHashMap<>();
      java.util.Map<String, String> startUp = new java.util.LinkedHashMap<>();
      for (int r = 0; r < 2; r++) {
        total.computeIfAbsent("no loader in the JVM", m -> new java.util.ArrayList<>()).add(rate(lab, seconds, rate, null, "no loader"));
      }
      for (String v : variants) {
        try (Loader loader = start(c, v)) {
          long jit0 = jit(nativeThreadsCpuNs());
          long t0 = System.nanoTime();
          rate(lab, warm, rate, loader, "warm-up " + v);
          startUp.put(v, String.format("%.2f CPU-s of JIT compilation in its first %d s", (jit(nativeThreadsCpuNs()) - jit0) / 1e9,
              (System.nanoTime() - t0) / 1_000_000_000L));
          for (int r = 0; r < rounds; r++) {
            loader.suspend();
            total.computeIfAbsent("without", m -> new java.util.ArrayList<>()).add(rate(lab, seconds, rate, null, "without"));
            loader.resume();
            Thread.sleep(1000);
            double us = rate(lab, seconds, rate, loader, v);
            total.computeIfAbsent(v, m -> new java.util.ArrayList<>()).add(us);
            total.computeIfAbsent(v + ", JIT aside", m -> new java.util.ArrayList<>()).add(us - lastJitUs);
            if (captureOnly) {  // the same loader with its socket tracepoints detached: what they cost
              loader.socketHooks(false);
              Thread.sleep(1000);
              double capture = rate(lab, seconds, rate, loader, v + " capture only");
              loader.socketHooks(true);
              total.computeIfAbsent(v + " capture only", m -> new java.util.ArrayList<>()).add(capture);
              total.computeIfAbsent(v + " capture only, JIT aside", m -> new java.util.ArrayList<>())
                  .add(capture - lastJitUs);
            }
          }
        }
      }
      double without = median(total.get("without"));
      for (var e : total.entrySet()) {
        List<Double> runs = e.getValue();
        double m = median(runs);
        System.out.printf("%-22s median %.2f us CPU/request over %d runs %s (range %.2f–%.2f); minus without: %+.2f us/request = %+.2f%% of one core at %,d requests/s%n",
            e.getKey(), m, runs.size(), runs.stream().map(x -> String.format("%.2f", x)).toList(),
            runs.stream().mapToDouble(Double::doubleValue).min().orElse(0),
            runs.stream().mapToDouble(Double::doubleValue).max().orElse(0), m - without, (m - without) * rate / 1e4, rate);
      }
      for (String v : variants) {  // paired within each round: the socket programs' share
        if (captureOnly) {
          for (String k : List.of(v, v + ", JIT aside")) {
            String only = k.equals(v) ? v + " capture only" : v + " capture only, JIT aside";
            List<Double> diffs = new java.util.ArrayList<>();
            for (int r = 0; r < rounds; r++) {
              diffs.add(total.get(k).get(r) - total.get(only).get(r));
            }
            System.out.printf("%-22s minus capture only, same round: median %+.2f us/request = %+.2f%% of one core %s%n", k,
                median(diffs), median(diffs) * rate / 1e4, diffs.stream().map(x -> String.format("%+.2f", x)).toList());
          }
        }
      }
      // Paired: each run with the loader against the run without it just before, so drift between rounds cancels.
      List<Double> withouts = total.get("without");
      int offset = 0;
      for (String v : variants) {
        for (String k : List.of(v, v + ", JIT aside")) {
          List<Double> diffs = new java.util.ArrayList<>();
          for (int r = 0; r < rounds; r++) {
            diffs.add(total.get(k).get(r) - withouts.get(offset + r));
          }
          System.out.printf("%-22s paired with the run before it: median %+.2f us/request = %+.2f%% of one core %s%n", k, median(diffs),
              median(diffs) * rate / 1e4, diffs.stream().map(x -> String.format("%+.2f", x)).toList());
        }
        offset += rounds;
      }
      startUp.forEach((v, s) -> System.out.println("start-up of " + v + ": " + s));
    }
  }

  /** A variant is one name or several joined by '+' (ring2+null). */
  static Loader start(LoaderConfig c, String variant) {
    java.util.Properties p = Loader.producerConfig(c.kafka());
    boolean nullProducer = false;
    boolean freshBatches = false;
    for (String v : variant.split("\\+")) {
      switch (v) {
        case "batched" -> { }
        case "unbatched" -> c = c.withPacketBatches(false);
        case "lz4-off" -> p.put("compression.type", "none");
        case "ring2" -> c = c.withRingBytes(2 << 20);
        case "gather250" -> c = c.withGatherMs(250);
        case "no-udp" -> c = c.withUdpAttribution(false);
        case "clsact" -> c = c.withTcMode(io.sluice.ebpf.TcAttacher.Mode.CLSACT);
        case "null" -> nullProducer = true;
        case "fresh-batches" -> freshBatches = true;
        default -> {
          if (v.startsWith("linger")) {  // lingerN: the producer's linger.ms (5 as deployed)
            p.put("linger.ms", Integer.parseInt(v.substring("linger".length())));
            continue;
          }
          if (!v.startsWith("zstd")) {
            throw new IllegalArgumentException("no such variant: " + v);
          }
          p.put("compression.type", "zstd");  // zstd or zstd:LEVEL (negative levels are the fast ones)
          if (v.contains(":")) {
            p.put("compression.zstd.level", Integer.parseInt(v.substring(v.indexOf(':') + 1)));
          }
        }
      }
    }
    if (nullProducer) {
      lastProducer = null;
      return Loader.start(c, new NullProducer());
    }
    var producer = new org.apache.kafka.clients.producer.KafkaProducer<>(p,
        new org.apache.kafka.common.serialization.ByteArraySerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
    lastProducer = producer;
    if (freshBatches) {  // not a KafkaProducer to the loader: a fresh array per batch, as before batches were reused
      @SuppressWarnings("unchecked")
      var proxy = (org.apache.kafka.clients.producer.Producer<byte[], byte[]>) java.lang.reflect.Proxy.newProxyInstance(
          CaptureBench.class.getClassLoader(), new Class<?>[] {org.apache.kafka.clients.producer.Producer.class},
          (self, m, a) -> {
            try {
              return m.invoke(producer, a);
            } catch (java.lang.reflect.InvocationTargetException e) {
              throw e.getCause();
            }
          });
      return Loader.start(c, proxy);
    }
    return Loader.start(c, producer);
  }

  /** The producer of the variant running (null with the null producer), for its counters. */
  static org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> lastProducer;

  /** The producer's cumulative counters (select-total, request-total, ...) by name. */
  static java.util.Map<String, Double> producerTotals() {
    java.util.Map<String, Double> m = new java.util.TreeMap<>();
    if (lastProducer != null) {
      lastProducer.metrics().forEach((n, v) -> {
        if (n.group().equals("producer-metrics") && (n.name().endsWith("-total") || n.name().endsWith("-avg")) && v.metricValue() instanceof Double d) {
          m.put(n.name(), d);
        }
      });
    }
    return m;
  }

  static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }

  /**
   * wrk paced to a fixed rate (src/test/resources/bench/rate.lua; 32 keep-alive connections) against nginx; returns the CPU µs per request of
   * everything the requests and the agent run on: nginx, the client (on a veth, the receiving side's softirq,
   * and so the server's tc ingress program, runs in the sender's context), ksoftirqd, and this JVM (the loader).
   */
  static double rate(Object lab, int seconds, int rate, Loader loader, String mode) throws Exception {
    long nginx = NetLabAccess.nginxPid(lab);
    List<Long> softirqd = ksoftirqd();
    long n0 = procCpuNs(nginx);
    long k0 = sumCpuNs(softirqd);
    long j0 = processCpuNs();
    long d0 = threadCpuNs("sluice-ringbuf");
    long p0 = threadCpuNs(PRODUCER_THREAD);
    long da0 = threadAllocated("sluice-ringbuf");
    long pa0 = threadAllocated(PRODUCER_THREAD);
    long st0 = stealTicks();
    java.util.Map<String, Long> t0 = nativeThreadsCpuNs();
    long[] c0 = loader == null ? null : loader.maps().counters();
    var pm0 = producerTotals();
    long s0 = loader == null ? 0 : loader.metrics().polledSockets();
    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    String script = Path.of(CaptureBench.class.getResource("/bench/rate.lua").toURI()).toString();
    String out = NetLabAccess.exec(lab, "bash -c 'wrk -t1 -c32 -d" + seconds + "s -s " + script + " http://"
        + NetLabAccess.serverIp(lab) + "/ -- " + rate + (close ? " close" : "") + " > /tmp/sluice-wrk.out; times; cat /tmp/sluice-wrk.out'");
    Thread.sleep(100);  // the loader drains what is left
    long polled = 0;
    if (loader != null) {
      // the run's cost includes producing what it captured: wait for Kafka's acknowledgements (linger, batches)
      polled = loader.metrics().polledPackets() + loader.metrics().polledSockets();
      long until = System.nanoTime() + 5_000_000_000L;
      while (loader.metrics().sent() + loader.metrics().kafkaErrors() < polled && System.nanoTime() < until) {
        Thread.sleep(5);
      }
    }
    long n1 = procCpuNs(nginx);
    long k1 = sumCpuNs(softirqd);
    long j1 = processCpuNs();
    long d1 = threadCpuNs("sluice-ringbuf");
    long p1 = threadCpuNs(PRODUCER_THREAD);
    long da1 = threadAllocated("sluice-ringbuf");
    long pa1 = threadAllocated(PRODUCER_THREAD);
    long st1 = stealTicks();
    java.util.Map<String, Long> t1 = nativeThreadsCpuNs();
    long requests = 0;
    String[] lines = out.split("\\n");
    for (String line : lines) {
      if (line.contains("requests in")) {
        requests = Long.parseLong(line.trim().split(" ")[0]);
      }
    }
    long client = timesNs(lines[1]);
    double perReq = (n1 - n0 + client + k1 - k0 + j1 - j0) / 1e3 / requests;
    String agent = "";
    if (loader != null) {
      long[] c1 = loader.maps().counters();
      long sent = loader.metrics().sent();
      if (sent < polled || loader.metrics().kafkaErrors() != 0) {
        throw new IllegalStateException(mode + ": Kafka acknowledged " + sent + " of " + polled + " records, errors " + loader.metrics().kafkaErrors());
      }
      var pm1 = producerTotals();
      StringBuilder diag = new StringBuilder(" [producer per s:");
      for (String k : List.of("select-total", "request-total", "record-send-total")) {
        diag.append(String.format(" %s %.1f", k.replace("-total", "s"), (pm1.getOrDefault(k, 0.0) - pm0.getOrDefault(k, 0.0)) / seconds));
      }
      diag.append(String.format(", compression rate %.2f; allocated per request: drain thread %.0f B, producer I/O thread %.0f B; CPU steal %d ticks]",
          pm1.getOrDefault("compression-rate-avg", -1.0), (da1 - da0) / (double) requests, (pa1 - pa0) / (double) requests, st1 - st0));
      agent = String.format(" (drain thread %.2f, producer I/O thread %.2f)", (d1 - d0) / 1e3 / requests, (p1 - p0) / 1e3 / requests)
          + threadsDelta(t0, t1, requests) + String.format("; %d records acknowledged; %.2f packets captured/request, %.2f socket events/request, %.2f pure ACKs skipped/request, ring-buffer full %d",
          sent, (c1[1] - c0[1]) / (double) requests, (loader.metrics().polledSockets() - s0) / (double) requests, (c1[5] - c0[5]) / (double) requests, c1[2])
          + diag;
    }
    System.out.printf("%-22s %,d requests in %d s (%,.0f/s): us CPU/request nginx %.2f, client %.2f, ksoftirqd %.2f, JVM %.2f = %.2f (load %s)%s%n",
        mode, requests, seconds, requests / (double) seconds, (n1 - n0) / 1e3 / requests, client / 1e3 / requests,
        (k1 - k0) / 1e3 / requests, (j1 - j0) / 1e3 / requests, perReq, load, agent);
    lastJitUs = (jit(t1) - jit(t0)) / 1e3 / requests;
    lastRequests = requests;
    return perReq;
  }

  /**
   * The in-kernel cost alone: BPF run-time statistics (kernel.bpf_stats_enabled) of the capture programs loaded
   * after this starts (program ids only grow), during one run.
   */
  static void bpfStats(Object lab, int seconds, int rate, LoaderConfig c) throws Exception {
    Path sysctl = Path.of("/proc/sys/kernel/bpf_stats_enabled");
    String before = Files.readString(sysctl).trim();
    long firstId = 1 + bpftoolPrograms().keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    try (Loader loader = Loader.start(c, new NullProducer())) {
      Files.writeString(sysctl, "1");
      Thread.sleep(500);
      var s0 = bpftoolPrograms();
      rate(lab, seconds, rate, loader, "with (BPF stats on)");
      long requests = lastRequests;
      var s1 = bpftoolPrograms();
      double nsPerRequest = 0;
      for (var e : s1.entrySet()) {
        long[] a = s0.getOrDefault(e.getKey(), new long[] {0, 0});
        long[] v = e.getValue();
        long runs = v[1] - a[1];
        if (e.getKey() >= firstId && runs > 0) {
          double ns = v[0] - a[0];
          nsPerRequest += ns / requests;
          System.out.printf("BPF program %d %s: %,d runs (%.2f per request), %.0f ns/run, %.0f ns/request%n", e.getKey(),
              programNames.get(e.getKey()), runs, runs / (double) requests, ns / runs, ns / requests);
        }
      }
      System.out.printf("BPF programs together: %.0f ns/request (ring buffer %d MiB)%n", nsPerRequest, c.ringBytes() >> 20);
    } finally {
      Files.writeString(sysctl, before);
    }
  }

  interface LabStep {
    void run(Object lab) throws Exception;
  }

  interface LabRun {
    long[] run(Object lab, boolean on) throws Exception;
  }

  /**
   * A capture feature's cost on its live test's traffic under a loader at the default snap, the feature on and off,
   * ROUNDS times each: records and bytes sent per unit (h2: Http2FrameAwareLiveTest's 403 streams on nginx h2c; tls:
   * TlsHandshakeLiveTest's 7 handshakes), and the capture programs' run time (kernel.bpf_stats_enabled) per unit. The
   * runs include tshark's oracle, which is not timed.
   */
  static void liveCost(String name, int rounds, LabStep server, LabRun once, String on, String unit) throws Exception {
    Path sysctl = Path.of("/proc/sys/kernel/bpf_stats_enabled");
    String before = Files.readString(sysctl).trim();
    try (var lab = NetLabAccess.open()) {
      server.run(lab);
      Files.writeString(sysctl, "1");
      for (int round = 0; round < rounds; round++) {
        for (boolean walk : new boolean[] {true, false}) {
          long firstId = 1 + bpftoolPrograms().keySet().stream().mapToLong(Long::longValue).max().orElse(0);
          // the loader's programs go with it at the end of the run: their run time is polled while they exist
          long[] captureNs = new long[1];
          var done = new java.util.concurrent.atomic.AtomicBoolean();
          Thread watcher = new Thread(() -> {
            while (!done.get()) {
              try {
                long sum = 0;
                for (var e : bpftoolPrograms().entrySet()) {
                  if (e.getKey() >= firstId && programNames.get(e.getKey()).startsWith("capture_")) {
                    sum += e.getValue()[0];
                  }
                }
                captureNs[0] = Math.max(captureNs[0], sum);
                Thread.sleep(200);
              } catch (Exception e) {
                return;
              }
            }
          });
          watcher.start();
          long[] r;
          try {
            r = once.run(lab, walk);
          } finally {
            done.set(true);
            watcher.join();
          }
          long[] ns = captureNs;
          double streams = r[0];
          System.out.printf("%s %s: %d in tshark, %d rows (%d incomplete); per %s %.2f records, %.0f bytes to Kafka,"
              + " %.0f payload bytes kept, %.0f ns in the capture programs%n", name, walk ? on : "snap only", r[0], r[1],
              r[2], unit, r[3] / streams, r[4] / streams, r[5] / streams, ns[0] / streams);
          if (r.length > 7) {
            System.out.printf("%s %s: %d segments walked, %d held after a gap%n", name, walk ? on : "snap only", r[6], r[7]);
          }
        }
      }
    } finally {
      Files.writeString(sysctl, before);
    }
  }

  static final java.util.Map<Long, String> programNames = new java.util.HashMap<>();

  /** id → {run_time_ns, run_cnt} of every loaded program of the loader's (by name), from `bpftool prog show`. */
  static java.util.Map<Long, long[]> bpftoolPrograms() throws Exception {
    Process bpftool = new ProcessBuilder("bpftool", "prog", "show").redirectErrorStream(true).start();
    String text = new String(bpftool.getInputStream().readAllBytes());
    bpftool.waitFor();
    java.util.Map<Long, long[]> out = new java.util.TreeMap<>();
    // "ID: TYPE  name NAME  tag …  gpl[ run_time_ns N run_cnt N]" then indented lines.
    var m = java.util.regex.Pattern.compile(
        "(?m)^(\\d+): \\w+\\s+name (capture_\\w+|udp_send_\\w+|state_\\w+|retransmit_\\w+)\\s.*?(?:run_time_ns (\\d+) run_cnt (\\d+))?$").matcher(text);
    while (m.find()) {
      long id = Long.parseLong(m.group(1));
      programNames.put(id, m.group(2));
      out.put(id, new long[] {
          m.group(3) == null ? 0 : Long.parseLong(m.group(3)), m.group(4) == null ? 0 : Long.parseLong(m.group(4))});
    }
    return out;
  }

  static final String PRODUCER_THREAD = "kafka-producer-network-thread | sluice-ebpf-loader";

  /**
   * The JIT compiler threads' CPU µs per request in the last run: start-up work (it decays over minutes as the
   * producer's less frequent paths reach their final tier), reported aside as well.
   */
  static double lastJitUs;
  /** The requests the last run served. */
  static long lastRequests;

  static long jit(java.util.Map<String, Long> threads) {
    return threads.entrySet().stream().filter(e -> e.getKey().startsWith("C CompilerThre")).mapToLong(java.util.Map.Entry::getValue).sum();
  }

  /** Every thread of this JVM (GC and compiler threads too) by name with digits dropped → CPU ns, from /proc. */
  static java.util.Map<String, Long> nativeThreadsCpuNs() throws Exception {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9#]+", "");
          out.merge(name, procCpuNs(Path.of("/proc/self/task", t.getFileName().toString())), Long::sum);
        } catch (java.io.IOException gone) {
          // ended while listing
        }
      }
    }
    return out;
  }

  /** The threads that used at least 0.1 µs per request, largest first. */
  static String threadsDelta(java.util.Map<String, Long> a, java.util.Map<String, Long> b, long requests) {
    StringBuilder s = new StringBuilder(" [threads:");
    b.entrySet().stream()
        .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - a.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() / 1e3 / requests >= 0.1)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .forEach(e -> s.append(String.format(" %s %.2f", e.getKey(), e.getValue() / 1e3 / requests)));
    return s.append("]").toString();
  }

  /** Bytes the named thread allocated so far (HotSpot's per-thread counter), 0 when there is no such thread. */
  static long threadAllocated(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name) && ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean m) {
        return m.getThreadAllocatedBytes(t.getId());
      }
    }
    return 0;
  }

  /** The machine's steal ticks so far (/proc/stat): time the hypervisor gave this VM's CPUs to others. */
  static long stealTicks() throws Exception {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    return Long.parseLong(f[8]);
  }

  /** CPU time of this JVM's thread of that name, 0 when there is none. */
  static long threadCpuNs(String name) {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals(name)) {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(t.getId());
      }
    }
    return 0;
  }

  static List<Long> ksoftirqd() throws Exception {
    List<Long> pids = new java.util.ArrayList<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
        try {
          if (Files.readString(d.resolve("comm")).startsWith("ksoftirqd/")) {
            pids.add(Long.parseLong(d.getFileName().toString()));
          }
        } catch (java.io.IOException gone) {
          // exited while listing
        }
      }
    }
    return pids;
  }

  static long sumCpuNs(List<Long> pids) throws Exception {
    long sum = 0;
    for (long p : pids) {
      sum += procCpuNs(p);
    }
    return sum;
  }

  /** bash's `times` line for its children: "0m1.234s 0m0.567s" (user, system). */
  static long timesNs(String line) {
    long ns = 0;
    for (String t : line.trim().split(" ")) {
      String[] ms = t.replace("s", "").split("m");
      ns += (long) ((Long.parseLong(ms[0]) * 60 + Double.parseDouble(ms[1])) * 1e9);
    }
    return ns;
  }

  static long procCpuNs(long pid) throws Exception {
    return procCpuNs(Path.of("/proc/" + pid));
  }

  static long procCpuNs(Path proc) throws java.io.IOException {
    String[] f = Files.readString(proc.resolve("stat")).replaceAll(".*\\) ", "").split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;  // utime+stime, 100 Hz ticks
  }

  static long processCpuNs() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
