package io.sluice.l7.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Raw IPv4 (LINKTYPE_RAW) UDP and TCP packets for the benchmarks. */
public final class BenchPackets {
  private BenchPackets() {}

  public static byte[] udp4(int src, int dst, int srcPort, int dstPort, byte[] payload) {
    byte[] p = new byte[28 + payload.length];
    ipv4(p, 17, src, dst);
    put16(p, 20, srcPort);
    put16(p, 22, dstPort);
    put16(p, 24, 8 + payload.length);
    System.arraycopy(payload, 0, p, 28, payload.length);
    return p;
  }

  public static byte[] tcp4(int src, int dst, int srcPort, int dstPort, int flags, byte[] payload) {
    byte[] p = new byte[40 + payload.length];
    ipv4(p, 6, src, dst);
    put16(p, 20, srcPort);
    put16(p, 22, dstPort);
    p[32] = 0x50;
    p[33] = (byte) flags;
    System.arraycopy(payload, 0, p, 40, payload.length);
    return p;
  }

  public static void setSeqAck(byte[] p, long seq, long ack) {
    put32(p, 24, seq);
    put32(p, 28, ack);
  }

  private static void ipv4(byte[] p, int protocol, int src, int dst) {
    p[0] = 0x45;
    put16(p, 2, p.length);
    p[8] = 64;
    p[9] = (byte) protocol;
    put32(p, 12, src);
    put32(p, 16, dst);
  }

  static void put16(byte[] p, int at, int v) {
    p[at] = (byte) (v >>> 8);
    p[at + 1] = (byte) v;
  }

  static void put32(byte[] p, int at, long v) {
    p[at] = (byte) (v >>> 24);
    p[at + 1] = (byte) (v >>> 16);
    p[at + 2] = (byte) (v >>> 8);
    p[at + 3] = (byte) v;
  }

  /** A response for {@code name} A with {@code answers} A answers (compressed owner names), no EDNS. */
  static byte[] dnsAnswers(int id, String name, int answers) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(id >>> 8);
    b.write(id);
    b.writeBytes(new byte[] {(byte) 0x81, (byte) 0x80, 0, 1, 0, (byte) answers, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      b.write(label.length());
      b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    b.writeBytes(new byte[] {0, 0, 1, 0, 1});
    for (int a = 0; a < answers; a++) {
      b.writeBytes(new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, (byte) a});
    }
    return b.toByteArray();
  }

  /** The first {@code payload} payload bytes of a packet whose headers take {@code headers}, as the loader cuts. */
  static byte[] snapped(byte[] packet, int headers, int payload) {
    return java.util.Arrays.copyOf(packet, Math.min(packet.length, headers + payload));
  }

  /** A query for {@code name} A, or its response with one A answer (compressed owner name) and EDNS. */
  public static byte[] dns(int id, String name, boolean response) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(id >>> 8);
    b.write(id);
    b.writeBytes(response ? new byte[] {(byte) 0x81, (byte) 0x80} : new byte[] {1, 0});
    b.writeBytes(new byte[] {0, 1, 0, (byte) (response ? 1 : 0), 0, 0, 0, 1});
    for (String label : name.split("\\.")) {
      b.write(label.length());
      b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    b.writeBytes(new byte[] {0, 0, 1, 0, 1});
    if (response) {
      b.writeBytes(new byte[] {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 93, (byte) 184, (byte) 216, 34});
    }
    b.writeBytes(new byte[] {0, 0, 41, 4, (byte) 0xD0, 0, 0, 0, 0, 0, 0});
    return b.toByteArray();
  }
}
