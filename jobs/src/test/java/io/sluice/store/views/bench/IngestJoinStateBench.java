package io.sluice.store.views.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The other design for joining flows to processes, measured at its core: columns filled at ingest by a Flink operator
 * holding every recent connection in keyed state by 5-tuple. Not that operator (it was not built: BENCHMARKS.md,
 * "Flows joined to processes", says why), but what it could not do with less: the state as heap objects (one entry
 * per connection: the key's 37 bytes, the node, process, container and pod as the socket events deliver them, each
 * string its own object as after deserialization) and four probes per flow record (each end, before and after NAT),
 * each building its key from the record's fields. The shuffle by 5-tuple that the operator would also need (every
 * flow record serialized to another task) is not in these numbers.
 *
 * <p>args: connections held (default 1,000,000), flow records probed per round (default 5,000,000), rounds (default 5)
 */
public final class IngestJoinStateBench {
  /** The state's value: who owns the connection, and when it was open. */
  record Owner(String node, long netns, int pid, String comm, String container, String pod, String podNamespace,
      long cgroupId, long openNs, long lastNs) {}

  /** local addr, remote addr (16 bytes each), local port, remote port, protocol. */
  record Key(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  public static void main(String[] args) {
    int connections = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int flows = args.length > 1 ? Integer.parseInt(args[1]) : 5_000_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    long before = usedHeap();
    Map<Key, Owner> state = new HashMap<>();
    for (int i = 0; i < connections; i++) {
      state.put(key(local(i), remote(i), port(i), 443, 6), new Owner(new String("node" + i % 50), 4026531840L + i % 50,
          i % 5000 + 1, new String("cmd" + i % 200), new String("3f2a9c" + i % 400 + "e1b7"), new String("api-" + i % 400),
          new String("prod"), 1000 + i % 400, i * 1000L, i * 1000L + 2_000_000_000L));
    }
    long after = usedHeap();
    System.out.printf("state: %,d connections, %,d bytes of heap, %.0f bytes per connection%n", state.size(), after - before,
        (after - before) / (double) state.size());

    // The flow records: one in five is a connection's (either direction), the rest strangers; no NAT, so the post-NAT
    // probes repeat the pre-NAT ones as the operator would have to.
    byte[][] src = new byte[flows][];
    byte[][] dst = new byte[flows][];
    int[] srcPort = new int[flows];
    int[] dstPort = new int[flows];
    for (int j = 0; j < flows; j++) {
      int k = (j / 5) % connections;
      boolean match = j % 5 == 0;
      boolean out = (j / 5) % 2 == 0;
      src[j] = match ? (out ? local(k) : remote(k)) : stranger(j);
      dst[j] = match ? (out ? remote(k) : local(k)) : remote(j);
      srcPort[j] = match ? (out ? port(k) : 443) : 1024 + j % 60000;
      dstPort[j] = match ? (out ? 443 : port(k)) : 443;
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long found = 0;
      for (int j = 0; j < flows; j++) {
        found += probe(state, src[j], srcPort[j], dst[j], dstPort[j]);
        found += probe(state, dst[j], dstPort[j], src[j], srcPort[j]);
        found += probe(state, src[j], srcPort[j], dst[j], dstPort[j]);
        found += probe(state, dst[j], dstPort[j], src[j], srcPort[j]);
      }
      double ns = (threads.getCurrentThreadCpuTime() - cpu0) / (double) flows;
      System.out.printf("round %d: %.0f ns CPU per flow record (4 probes), %,d found%n", r + 1, ns, found);
    }
  }

  private static int probe(Map<Key, Owner> state, byte[] local, int localPort, byte[] remote, int remotePort) {
    return state.get(key(local, remote, localPort, remotePort, 6)) == null ? 0 : 1;
  }

  private static Key key(byte[] local, byte[] remote, int localPort, int remotePort, int protocol) {
    byte[] k = new byte[37];
    System.arraycopy(local, 0, k, 0, 16);
    System.arraycopy(remote, 0, k, 16, 16);
    k[32] = (byte) (localPort >> 8);
    k[33] = (byte) localPort;
    k[34] = (byte) (remotePort >> 8);
    k[35] = (byte) remotePort;
    k[36] = (byte) protocol;
    return new Key(k);
  }

  private static byte[] local(int i) {
    return v4(10, i % 50, (i / 50) % 256, (i / 12800) % 250 + 1);
  }

  private static byte[] remote(int i) {
    return v4(198, 51, i % 200, (i / 200) % 250);
  }

  private static byte[] stranger(int j) {
    return v4(172, 16, j % 256, (j / 256) % 256);
  }

  private static int port(int i) {
    return 32768 + (i / 7) % 28000;
  }

  private static byte[] v4(int a, int b, int c, int d) {
    byte[] v = new byte[16];
    v[10] = (byte) 0xff;
    v[11] = (byte) 0xff;
    v[12] = (byte) a;
    v[13] = (byte) b;
    v[14] = (byte) c;
    v[15] = (byte) d;
    return v;
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
