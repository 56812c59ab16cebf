package io.sluice.ingest.metrics;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;

import java.util.List;

/**
 * The kernel's per-socket UDP table, /proc/net/udp and /proc/net/udp6: for each socket its local address and
 * port, receive queue and the datagrams the kernel dropped because the socket's buffer was full (the last
 * column). Drops there happen before the collector sees anything, so this is where they become visible.
 */
public final class ProcNetUdp {
  public static final Path UDP = Path.of("/proc/net/udp");
  public static final Path UDP6 = Path.of("/proc/net/udp6");

  /**
   * One socket.
   *
   * @param localAddr 16 bytes (an IPv4 socket's address mapped)
   * @param rxQueue bytes waiting in the receive buffer
   * @param drops datagrams dropped since the socket was created
   */
  public record Entry(byte[] localAddr, int localPort, long txQueue, long rxQueue, long inode, long drops) {}

  private ProcNetUdp() {}

  /** Reads both tables; a missing file (no IPv6, not Linux) counts as empty. */
  public static List<Entry> read() throws IOException {
    List<Entry> out = new ArrayList<>(readFile(UDP));
    out.addAll(readFile(UDP6));
    return out;
  }

  static List<Entry> readFile(Path file) throws IOException {
    try {
      return parse(Files.readString(file));
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  /** Parses a table's text (header line included); lines it cannot read are skipped. */
  public static List<Entry> parse(String text) {
    List<Entry> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      Entry e = parseLine(line);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * One line: {@code sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref
   * pointer drops}; null for the header or a line in another shape.
   */
  public static Entry parseLine(String line) {
    String[] f = line.trim().split("\\s+");
    if (f.length < 13 || !f[0].endsWith(":")) {
      return null;
    }
    try {
      String[] local = f[1].split(":");
      String[] queues = f[4].split(":");
      if (local.length != 2 || queues.length != 2) {
        return null;
      }
      byte[] addr = address(local[0]);
      if (addr == null) {
        return null;
      }
      return new Entry(addr, Integer.parseInt(local[1], 16), Long.parseLong(queues[0], 16), Long.parseLong(queues[1], 16),
          Long.parseLong(f[9]), Long.parseLong(f[12]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The kernel prints each 32-bit word of the address in host byte order. */
  static byte[] address(String hex) {
    if (hex.length() != 8 && hex.length() != 32) {
      return null;
    }
    int words = hex.length() / 8;
    byte[] raw = new byte[words * 4];
    boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    for (int w = 0; w < words; w++) {
      long word = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
      for (int b = 0; b < 4; b++) {
        int shift = little ? 8 * b : 8 * (3 - b);
        raw[w * 4 + b] = (byte) (word >>> shift);
      }
    }
    if (words == 4) {
      return raw;
    }
    byte[] out = new byte[16];
    out[10] = (byte) 0xff;
    out[11] = (byte) 0xff;
    System.arraycopy(raw, 0, out, 12, 4);
    return out;
  }

  /** Sum of drops and receive queues over the sockets bound to a port (several with SO_REUSEPORT). */
  public record PortTotals(int sockets, long drops, long rxQueue) {}

  public static PortTotals totals(List<Entry> entries, int port) {
    int sockets = 0;
    long drops = 0;
    long rx = 0;
    for (Entry e : entries) {
      if (e.localPort() == port) {
        sockets++;
        drops += e.drops();
        rx += e.rxQueue();
      }
    }
    return new PortTotals(sockets, drops, rx);
  }

}
