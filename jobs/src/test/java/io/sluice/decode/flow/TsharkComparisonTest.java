package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import io.sluice.ingest.pcap.ClassicPcapWriter;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs tshark now (not the stored oracle) on NetFlow v9 and IPFIX produced by softflowd from a
 * fixture pcap, and compares its decode with ours: record count and, field by field, the multisets
 * of addresses, ports, protocols, bytes and packets. Skipped where tshark or softflowd is missing.
 */
class TsharkComparisonTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "softflowd -v {1} -r {0}")
  @CsvSource({
    "l7/pktvisor/dns_ipv4_udp.pcap, 9",
    "l7/pktvisor/dns_ipv4_udp.pcap, 10",
    "l7/pktvisor/dns_ipv6_tcp.pcap, 9",
    "l7/pktvisor/dns_ipv6_tcp.pcap, 10",
    "l7/zeek/http-vlan-0.pcap, 10",
  })
  void softflowdExportAgreesWithTshark(String fixture, int version) throws Exception {
    assumeTrue(onPath("tshark") && onPath("softflowd"), "needs tshark and softflowd");
    List<byte[]> datagrams = new ArrayList<>();
    int port;
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      port = socket.getLocalPort();
      Process softflowd = new ProcessBuilder("softflowd", "-d", "-r", Fixtures.root().resolve(fixture).toString(),
          "-n", "127.0.0.1:" + port, "-v", String.valueOf(version))
          .redirectErrorStream(true).redirectOutput(tmp.resolve("softflowd.log").toFile()).start();
      assertTrue(softflowd.waitFor(60, TimeUnit.SECONDS), "softflowd finished");
      socket.setSoTimeout(1000);
      byte[] buf = new byte[65535];
      while (true) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (SocketTimeoutException e) {
          break;
        }
        datagrams.add(Arrays.copyOf(p.getData(), p.getLength()));
      }
    }
    assertTrue(!datagrams.isEmpty(), "softflowd exported something");
    Path pcap = tmp.resolve("export.pcap");
    writeUdpPcap(pcap, datagrams, port);
    compareWithTshark(pcap, port);
  }

  private void compareWithTshark(Path pcap, int port) throws Exception {
    String[] fields = {"cflow.srcaddr", "cflow.srcaddrv6", "cflow.dstaddr", "cflow.dstaddrv6", "cflow.srcport",
        "cflow.dstport", "cflow.protocol", "cflow.octets", "cflow.packets"};
    List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-d", "udp.port==" + port + ",cflow",
        "-T", "fields", "-E", "separator=|", "-E", "aggregator=;"));
    for (String f : fields) {
      cmd.add("-e");
      cmd.add(f);
    }
    Process tshark = new ProcessBuilder(cmd).redirectError(tmp.resolve("tshark.err").toFile()).start();
    String text = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(tshark.waitFor(60, TimeUnit.SECONDS));
    Map<String, Map<String, Integer>> theirs = new TreeMap<>();
    for (String line : text.split("\n")) {
      String[] cols = line.split("\\|", -1);
      for (int i = 0; i < fields.length && i < cols.length; i++) {
        if (cols[i].isEmpty()) continue;
        String key = fields[i].replace("v6", "");
        for (String v : cols[i].split(";")) theirs.computeIfAbsent(key, k -> new TreeMap<>()).merge(normalise(v), 1, Integer::sum);
      }
    }
    Fixtures.Decoded decoded = Fixtures.decode(pcap, 0);
    Map<String, Map<String, Integer>> ours = new TreeMap<>();
    for (FlowRecord r : decoded.flows) {
      add(ours, "cflow.srcaddr", address(r.srcAddr));
      add(ours, "cflow.dstaddr", address(r.dstAddr));
      add(ours, "cflow.srcport", String.valueOf(r.srcPort));
      add(ours, "cflow.dstport", String.valueOf(r.dstPort));
      add(ours, "cflow.protocol", String.valueOf(r.protocol));
      add(ours, "cflow.octets", String.valueOf(r.sampledBytes));
      add(ours, "cflow.packets", String.valueOf(r.sampledPackets));
    }
    int theirCount = theirs.getOrDefault("cflow.protocol", Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(theirCount > 0, "tshark decoded records");
    assertEquals(theirCount, decoded.flows.size(), "records");
    assertEquals(theirs, ours);
    // softflowd reading a file exports the file's times: far from the capture's, so counted at receive time.
    assertEquals(0, decoded.decoder.counters().totalProblems() - decoded.decoder.counters().problems(DecodeProblem.TIME_OUT_OF_RANGE),
        "problems: " + decoded.decoder.counters().problems());
  }

  private static void add(Map<String, Map<String, Integer>> m, String key, String v) {
    m.computeIfAbsent(key, k -> new TreeMap<>()).merge(v, 1, Integer::sum);
  }

  private static String normalise(String v) {
    try {
      return v.contains(".") || v.contains(":") ? address(InetAddress.getByName(v).getAddress()) : String.valueOf(Long.parseLong(v));
    } catch (IOException | NumberFormatException e) {
      return v;
    }
  }

  private static String address(byte[] a) throws IOException {
    if (a.length == 16) {
      boolean mapped = a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
      for (int i = 0; i < 10; i++) mapped &= a[i] == 0;
      if (mapped) a = Arrays.copyOfRange(a, 12, 16);
    }
    return InetAddress.getByAddress(a).getHostAddress();
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool));
  }

  /** A classic pcap of Ethernet/IPv4/UDP frames from 127.0.0.1:9995 to the collector port. */
  private static void writeUdpPcap(Path file, List<byte[]> payloads, int port) throws IOException {
    List<byte[]> frames = new ArrayList<>();
    for (byte[] p : payloads) {
      ByteBuffer f = ByteBuffer.allocate(14 + 20 + 8 + p.length);
      f.put(new byte[] {0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 8, 0});
      f.put(new byte[] {0x45, 0}).putShort((short) (20 + 8 + p.length));
      f.put(new byte[] {0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1});
      f.putShort((short) 9995).putShort((short) port).putShort((short) (8 + p.length)).putShort((short) 0).put(p);
      frames.add(f.array());
    }
    Files.write(file, ClassicPcapWriter.ethernet(frames, 1_700_000_000L, 1_000_000));
  }
}
