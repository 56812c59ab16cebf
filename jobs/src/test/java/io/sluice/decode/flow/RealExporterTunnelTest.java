package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ingest.pcap.ClassicPcapWriter;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real exporter on tunnelled traffic: the test writes a pcap of IPv4, IPv6, IPIP, 6in4, 4in6 and GRE
 * packets, softflowd exports it as NetFlow v9 and as IPFIX to a UDP socket here, and Sluice's decode
 * of those datagrams must give, per 5-tuple, the bytes and packets the test wrote (softflowd accounts a
 * tunnelled packet by its outer header, which is the one header its records carry) and, for IPFIX, what
 * pmacct's nfacctd stores for the same datagrams.
 */
class RealExporterTunnelTest {
  private static final byte[] A4 = {10, 1, 0, 1};
  private static final byte[] B4 = {10, 2, 0, 2};
  private static final byte[] C4 = {(byte) 192, 0, 2, 10};
  private static final byte[] D4 = {(byte) 198, 51, 100, 20};
  private static final byte[] A6 = v6(0x10);
  private static final byte[] B6 = v6(0x20);

  @TempDir Path tmp;

  @ParameterizedTest(name = "softflowd -v {0}")
  @ValueSource(ints = {9, 10})
  void softflowdExportOfTunnelsDecodesAsWrittenAndAsNfacctdStoresIt(int version) throws Exception {
    assertTrue(Files.isExecutable(Path.of("/usr/sbin/softflowd")) || Files.isExecutable(Path.of("/usr/bin/softflowd")),
        "softflowd is missing: scripts/prereqs.sh installs it");
    List<byte[]> frames = new ArrayList<>();
    Map<String, long[]> written = new TreeMap<>();
    for (int i = 0; i < 3; i++) {
      int pad = 10 * i;
      add(frames, written, ipv4(A4, B4, 6, tcp(40000, 443, pad)));                                  // IPv4 TCP
      add(frames, written, ipv6(A6, B6, 17, udp(5353, 53, pad)));                                 // IPv6 UDP
      add(frames, written, ipv4(C4, D4, 4, ipv4(A4, B4, 17, udp(1111, 2222, pad))));               // IPIP
      add(frames, written, ipv4(C4, D4, 41, ipv6(A6, B6, 6, tcp(3333, 80, pad))));                 // 6in4
      add(frames, written, ipv6(B6, A6, 4, ipv4(B4, A4, 6, tcp(4444, 8443, pad))));                // 4in6
      add(frames, written, ipv4(D4, C4, 47, concat(new byte[] {0, 0, 8, 0}, ipv4(A4, B4, 17, udp(7, 9, pad))))); // GRE
    }
    Path pcap = tmp.resolve("tunnels.pcap");
    Files.write(pcap, ClassicPcapWriter.ethernet(frames, 1_700_000_000L, 1000));

    List<byte[]> datagrams = export(pcap, version);
    assertTrue(!datagrams.isEmpty(), "softflowd sent nothing");
    Map<String, long[]> ours = new TreeMap<>();
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState();
    DecodeCounters counters = new DecodeCounters();
    for (byte[] d : datagrams) {
      // received shortly after the pcap's packets (written at 1,700,000,000 s), so the exporter times are sane
      decoder.decode(d, 0, d.length, new byte[16], 1_700_000_010_000_000_000L, state, r -> {
        long[] v = ours.computeIfAbsent(Nfacctd.tuple(r.srcAddr, r.dstAddr, r.protocol, r.srcPort, r.dstPort), k -> new long[2]);
        v[0] += r.sampledBytes;
        v[1] += r.sampledPackets;
      }, counters);
    }
    // softflowd's NetFlow v9 export of a pcap dates its flows away from the pcap's times (its IPFIX export does
    // not): the decoder counts them out of range and keeps the receive time. Times are not what this test checks.
    Map<?, Long> problems = new java.util.HashMap<>(counters.problems());
    if (version == 9) problems.remove(io.sluice.decode.flow.DecodeProblem.TIME_OUT_OF_RANGE);
    assertEquals(Map.of(), problems, counters.problems().toString());
    assertEquals(print(written), print(ours), "Sluice's decode of softflowd's export = the packets written");

    try (Nfacctd nfacctd = Nfacctd.start(tmp)) {
      for (byte[] d : datagrams) nfacctd.send("127.3.0.1", d);
      Map<String, long[]> peer = nfacctd.collect().getOrDefault("127.3.0.1", Map.of());
      if (version == 9) {
        // nfacctd 1.7.7 stores none of softflowd's NetFlow v9 records of this pcap (softflowd reading a pcap
        // sends sysUptime 0 with its options template for interfaceName, IE 82; with debug on, nfacctd's print
        // plugin is seen to exit right after that template). Sluice's decode is checked against the packets
        // written above; if a later pmacct stores them, this fails and the comparison should cover v9 too.
        assertEquals(Map.of(), peer, "nfacctd stores nothing of softflowd's v9 export");
        return;
      }
      assertEquals(print(ours), print(peer), "nfacctd = Sluice");
    }
  }

  /** Runs softflowd on the pcap, exporting to a socket here; returns the datagrams it sent. */
  private static List<byte[]> export(Path pcap, int version) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(2_000);
      Process p = new ProcessBuilder("softflowd", "-d", "-r", pcap.toString(), "-n", "127.0.0.1:" + socket.getLocalPort(),
          "-v", Integer.toString(version)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      byte[] buf = new byte[65535];
      while (true) {
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(packet);
          out.add(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
        } catch (SocketTimeoutException e) {
          if (!p.isAlive()) break;
        }
      }
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), "softflowd exit");
    }
    return out;
  }

  /** Adds an Ethernet frame around the IP packet and counts it under its outer header's 5-tuple. */
  private static void add(List<byte[]> frames, Map<String, long[]> written, byte[] ip) {
    boolean v6 = (ip[0] >> 4) == 6;
    frames.add(concat(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, (byte) 0x86, (byte) (v6 ? 0xDD : 0x00)}, ip));
    if (!v6) frames.get(frames.size() - 1)[12] = 0x08;
    byte[] src = new byte[16];
    byte[] dst = new byte[16];
    int protocol;
    int l4;
    if (v6) {
      System.arraycopy(ip, 8, src, 0, 16);
      System.arraycopy(ip, 24, dst, 0, 16);
      protocol = ip[6] & 0xFF;
      l4 = 40;
    } else {
      src[10] = src[11] = dst[10] = dst[11] = (byte) 0xFF;
      System.arraycopy(ip, 12, src, 12, 4);
      System.arraycopy(ip, 16, dst, 12, 4);
      protocol = ip[9] & 0xFF;
      l4 = 20;
    }
    boolean ports = protocol == 6 || protocol == 17;
    int sport = ports ? ((ip[l4] & 0xFF) << 8) | (ip[l4 + 1] & 0xFF) : 0;
    int dport = ports ? ((ip[l4 + 2] & 0xFF) << 8) | (ip[l4 + 3] & 0xFF) : 0;
    long[] v = written.computeIfAbsent(Nfacctd.tuple(src, dst, protocol, sport, dport), k -> new long[2]);
    v[0] += ip.length;
    v[1]++;
  }

  private static byte[] ipv4(byte[] src, byte[] dst, int protocol, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putInt(0).put((byte) 64).put((byte) protocol)
        .putShort((short) 0).put(src).put(dst).put(payload);
    byte[] a = b.array();
    int sum = 0;
    for (int i = 0; i < 20; i += 2) sum += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
    while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
    a[10] = (byte) (~sum >> 8);
    a[11] = (byte) ~sum;
    return a;
  }

  private static byte[] ipv6(byte[] src, byte[] dst, int next, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
    b.putInt(0x60000000).putShort((short) payload.length).put((byte) next).put((byte) 64).put(src).put(dst).put(payload);
    return b.array();
  }

  private static byte[] tcp(int sport, int dport, int pad) {
    ByteBuffer b = ByteBuffer.allocate(20 + pad);
    b.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x18).putShort((short) 512);
    return b.array();
  }

  private static byte[] udp(int sport, int dport, int pad) {
    ByteBuffer b = ByteBuffer.allocate(8 + pad);
    b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + pad));
    return b.array();
  }

  private static byte[] v6(int last) {
    byte[] a = new byte[16];
    a[0] = 0x20;
    a[1] = 0x01;
    a[2] = 0x0d;
    a[3] = (byte) 0xb8;
    a[15] = (byte) last;
    return a;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(a);
    o.writeBytes(b);
    return o.toByteArray();
  }

  private static String print(Map<String, long[]> m) {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(m).forEach((k, v) -> b.append(k).append(" bytes=").append(v[0]).append(" packets=").append(v[1]).append('\n'));
    return b.toString();
  }
}
