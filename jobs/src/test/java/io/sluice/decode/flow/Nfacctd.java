package io.sluice.decode.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * pmacct's nfacctd, a second decoder independent of tshark and of Sluice: started on loopback with its
 * print plugin writing JSON, fed datagrams over UDP, and read back as bytes and packets per exporter and
 * 5-tuple (src, dst, protocol, src port, dst port). Each exporter sends from its own 127.0.0.x address,
 * so templates of different exporters never meet in nfacctd's cache.
 */
final class Nfacctd implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/sbin/nfacctd");
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String MARKER_SOURCE = "127.9.9.9";

  private final Path dir;
  private final int port;
  private final Process process;
  private final Map<String, DatagramSocket> sockets = new HashMap<>();

  private Nfacctd(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  static Nfacctd start(Path dir) throws IOException, InterruptedException {
    // below the ephemeral range: a port from bind(0) may become another socket's local port before nfacctd binds it
    int port = io.sluice.stack.Ports.free();
    Path conf = dir.resolve("nfacctd.conf");
    Files.writeString(conf, String.join("\n",
        "daemonize: false",
        "nfacctd_ip: 127.0.0.1",
        "nfacctd_port: " + port,
        "plugins: print[p]",
        "aggregate[p]: peer_src_ip, src_host, dst_host, proto, src_port, dst_port",
        "print_output[p]: json",
        "print_num_protos[p]: true",
        "print_output_file[p]: " + dir.resolve("out.json"),
        "print_output_file_append[p]: true",
        "print_refresh_time[p]: 1",
        ""));
    Path log = dir.resolve("nfacctd.log");
    Process p = new ProcessBuilder(BINARY.toString(), "-f", conf.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.currentTimeMillis() + 20_000;
    // Both the core (listening) and the print plugin (set up) must be ready: what the core receives before
    // the plugin is set up never reaches the plugin.
    while (!Files.exists(log) || !Files.readString(log).contains("waiting for NetFlow/IPFIX data")
        || !Files.readString(log).contains("JSON: setting object handlers")) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        p.destroyForcibly();
        throw new IllegalStateException("nfacctd did not start: " + (Files.exists(log) ? Files.readString(log) : ""));
      }
      Thread.sleep(50);
    }
    Thread.sleep(500);
    return new Nfacctd(dir, port, p);
  }

  /** Sends one datagram from the loopback address {@code source} (127.0.0.x). */
  void send(String source, byte[] datagram) throws IOException, InterruptedException {
    DatagramSocket s = sockets.get(source);
    if (s == null) {
      s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(source), 0));
      sockets.put(source, s);
    }
    waitForRoom();
    s.send(new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), port));
    Thread.sleep(1); // paced: a burst would overflow nfacctd's socket buffer on a busy machine
  }

  /** Bytes waiting in a socket's receive queue above which the next datagram waits for nfacctd to read. */
  private static final long QUEUE_LIMIT = 64 * 1024;

  /**
   * Back-pressure for a slow or starved nfacctd: its socket's receive queue (/proc/net/udp) must be below a third
   * of the default buffer before a datagram is sent, so the kernel never drops one however busy the machine is.
   */
  private void waitForRoom() throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (receiveQueue() > QUEUE_LIMIT) {
      if (System.currentTimeMillis() > deadline || !process.isAlive()) {
        throw new IllegalStateException("nfacctd stopped reading its socket: " + Files.readString(dir.resolve("nfacctd.log")));
      }
      Thread.sleep(5);
    }
  }

  /** The receive queue of the socket bound to 127.0.0.1:port, in bytes; 0 when it is not listed. */
  private long receiveQueue() throws IOException {
    String local = String.format("0100007F:%04X", port);
    for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 4 && f[1].equals(local)) {
        return Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
      }
    }
    return 0;
  }

  /**
   * Sends a marker flow last, waits until nfacctd's print plugin has written it (nfacctd reads one socket
   * in order, so everything sent before is written too), stops nfacctd, and returns bytes and packets per
   * source address and {@link #tuple}, the marker left out.
   */
  Map<String, Map<String, long[]>> collect() throws IOException, InterruptedException {
    Path out = dir.resolve("out.json");
    send(MARKER_SOURCE, markerV5());
    long deadline = System.currentTimeMillis() + 60_000;
    while (!(Files.exists(out) && Files.readString(out).contains("\"peer_ip_src\": \"" + MARKER_SOURCE + "\""))) {
      if (System.currentTimeMillis() > deadline || !process.isAlive()) {
        throw new IllegalStateException("nfacctd never wrote the marker flow: " + Files.readString(dir.resolve("nfacctd.log")));
      }
      Thread.sleep(200);
    }
    String log = Files.readString(dir.resolve("nfacctd.log"));
    if (log.contains("missing data") || log.contains("dropped")) throw new IllegalStateException("nfacctd lost datagrams: " + log);
    close();
    Map<String, Map<String, long[]>> result = new TreeMap<>();
    if (!Files.exists(out)) return result;
    for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      JsonNode n = JSON.readTree(line);
      if (!n.has("ip_src") || n.path("peer_ip_src").asText().equals(MARKER_SOURCE)) continue;
      String key = tuple(address(n.path("ip_src").asText()), address(n.path("ip_dst").asText()),
          n.path("ip_proto").asInt(), n.path("port_src").asInt(), n.path("port_dst").asInt());
      long[] v = result.computeIfAbsent(n.path("peer_ip_src").asText(), k -> new TreeMap<>())
          .computeIfAbsent(key, k -> new long[2]);
      v[0] += n.path("bytes").asLong();
      v[1] += n.path("packets").asLong();
    }
    return result;
  }

  /** A NetFlow v5 datagram with one record (the Cisco v5 layout: 24-byte header, 48-byte records). */
  private static byte[] markerV5() {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24 + 48);
    b.putShort((short) 5).putShort((short) 1).putInt(1000).putInt(1_700_000_000).putInt(0).putInt(1).putInt(0);
    b.putInt(0x0A090909).putInt(0x0A090908).putInt(0).putShort((short) 1).putShort((short) 2);
    b.putInt(1).putInt(100).putInt(900).putInt(1000).putShort((short) 9).putShort((short) 9);
    b.put((byte) 0).put((byte) 0).put((byte) 17).put((byte) 0);
    return b.array();
  }

  /** The 5-tuple as text: addresses as 16 bytes (IPv4 mapped), so both decoders print them alike. */
  static String tuple(byte[] src, byte[] dst, int protocol, int srcPort, int dstPort) {
    return text(src) + " " + text(dst) + " " + protocol + " " + srcPort + " " + dstPort;
  }

  private static byte[] address(String s) {
    byte[] a16 = new byte[16];
    try {
      byte[] a = InetAddress.getByName(s).getAddress();
      if (a.length == 16) return a;
      a16[10] = a16[11] = (byte) 0xFF;
      System.arraycopy(a, 0, a16, 12, 4);
      return a16;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(byte[] a16) {
    try {
      return InetAddress.getByAddress(a16).getHostAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    sockets.values().forEach(DatagramSocket::close);
    sockets.clear();
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.currentTimeMillis() + 15_000;
    while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < deadline) Thread.sleep(100);
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
