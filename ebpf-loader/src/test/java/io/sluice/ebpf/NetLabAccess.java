package io.sluice.ebpf;

/** Lets the benchmarks (another package) use the test lab. */
public final class NetLabAccess {
  private NetLabAccess() {}

  public static AutoCloseable open() throws Exception {
    return new NetLab();
  }

  public static String client(Object lab) {
    return ((NetLab) lab).client;
  }

  public static String server(Object lab) {
    return ((NetLab) lab).server;
  }

  public static String serverIp(Object lab) {
    return ((NetLab) lab).serverIp;
  }

  public static void startServers(Object lab) throws Exception {
    LabServers.start((NetLab) lab);
  }

  public static String exec(Object lab, String command) {
    NetLab l = (NetLab) lab;
    return NetLab.run(java.util.List.of("ip", "netns", "exec", l.client, "sh", "-c", command), 600);
  }

  /** A real broker in the host namespace (started once per JVM) with every topic made under prefix; its bootstrap. */
  public static String kafka(String prefix) throws Exception {
    TestKafka.createTopics(prefix);
    return TestKafka.bootstrap();
  }

  public static long nginxPid(Object lab) {
    NetLab l = (NetLab) lab;
    return Long.parseLong(NetLab.sh("cat " + l.dir.resolve("nginx.pid")).trim());
  }

  /** nginx serving h2c in the lab's server namespace (Http2FrameAwareLiveTest's). */
  public static void startH2Server(Object lab) throws Exception {
    Http2FrameAwareLiveTest.startNginx((NetLab) lab);
  }

  /**
   * Http2FrameAwareLiveTest's traffic once under a loader at the default snap, the walk on or off: tshark's streams,
   * rows, rows marked incomplete, records sent, their bytes, payload bytes kept.
   */
  public static long[] h2Run(Object lab, boolean walk) throws Exception {
    return withoutIf(!walk, BpfMaps.NO_H2_FRAMES_PROPERTY, () -> {
      Http2FrameAwareLiveTest.Run r = Http2FrameAwareLiveTest.run((NetLab) lab);
      return new long[] {r.tshark().size(), r.engine().size(), r.incomplete(), r.records(), r.kafkaBytes(), r.payloadKept(),
          r.counters()[6], r.counters()[13]};
    });
  }

  interface RunOnce {
    long[] run() throws Exception;
  }

  /** run, with the feature property set while it runs when off. */
  private static long[] withoutIf(boolean off, String property, RunOnce run) throws Exception {
    if (off) {
      System.setProperty(property, "1");
    }
    try {
      return run.run();
    } finally {
      System.clearProperty(property);
    }
  }

  /** nginx with TLS in the lab's server namespace (TlsHandshakeLiveTest's). */
  public static void startTlsServer(Object lab) throws Exception {
    TlsHandshakeLiveTest.startNginx((NetLab) lab);
  }

  /**
   * TlsHandshakeLiveTest's traffic once under a loader at the default snap, handshakes kept or not: tshark's handshakes,
   * rows equal to tshark's, rows with a cut ClientHello, records sent, their bytes, payload bytes kept.
   */
  public static long[] tlsRun(Object lab, boolean keep) throws Exception {
    return withoutIf(!keep, BpfMaps.NO_TLS_HANDSHAKES_PROPERTY, () -> {
      TlsHandshakeLiveTest.Run r = TlsHandshakeLiveTest.run((NetLab) lab);
      java.util.List<String> left = new java.util.ArrayList<>(r.tshark());
      long equal = TlsHandshakeLiveTest.strip(r.loader()).stream().filter(left::remove).count();
      long cut = r.loader().stream().filter(l -> l.contains(" truncated")).count();
      return new long[] {r.tshark().size(), equal, cut, r.records(), r.kafkaBytes(), r.payloadKept()};
    });
  }
}
