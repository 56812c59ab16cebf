package io.sluice.testing;

import java.nio.ByteBuffer;

/** Crafted inputs from the hardening review (issue 21), built byte by byte. */
public final class HostileInputs {
  private HostileInputs() {}

  /** Bytes per nesting level: an MPLS label (bottom of stack), a pseudowire control word, an inner Ethernet header. */
  public static final int BYTES_PER_LEVEL = 4 + 4 + 14;

  /**
   * An Ethernet frame carrying {@code levels} Ethernet pseudowires, each inside MPLS inside the previous one, with an
   * IPv4/UDP packet at the bottom. 3,000 levels make the 66 KB frame of the review.
   */
  public static byte[] nestedPseudowires(int levels) {
    ByteBuffer b = ByteBuffer.allocate(14 + levels * BYTES_PER_LEVEL + 28);
    ethernet(b, 0x8847);
    for (int i = 0; i < levels; i++) {
      b.putInt((16 << 12) | 0x100 | 64); // label 16, bottom of stack, TTL 64
      b.putInt(0); // control word
      ethernet(b, i == levels - 1 ? 0x0800 : 0x8847);
    }
    b.put(new byte[] {0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2});
    b.putShort((short) 1234).putShort((short) 53).putShort((short) 8).putShort((short) 0);
    return b.array();
  }

  private static void ethernet(ByteBuffer b, int etherType) {
    b.put(new byte[] {0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xaa});
    b.putShort((short) etherType);
  }

  /**
   * An sFlow v5 datagram from agent {@code agent4} with one compact flow sample (rate 1) whose raw packet header
   * record holds {@code header} (an Ethernet frame).
   */
  public static byte[] sflowRawHeader(byte[] agent4, byte[] header) {
    int padded = (header.length + 3) & ~3;
    int record = 16 + padded;
    int sample = 32 + 8 + record;
    ByteBuffer b = ByteBuffer.allocate(28 + 8 + sample);
    b.putInt(5).putInt(1).put(agent4).putInt(0).putInt(1).putInt(1000).putInt(1);
    b.putInt(1).putInt(sample); // compact flow sample
    b.putInt(1).putInt(1).putInt(1).putInt(1).putInt(0).putInt(1).putInt(2).putInt(1);
    b.putInt(1).putInt(record); // raw packet header
    b.putInt(1).putInt(header.length).putInt(0).putInt(header.length);
    b.put(header);
    return b.array();
  }

  /** A classic pcap file (microsecond times) of Ethernet frames, one per {@code frames} entry, 1 ms apart from t0. */
  public static void writePcap(java.nio.file.Path file, long t0Ns, java.util.List<byte[]> frames) throws java.io.IOException {
    writePcap(file, t0Ns, 1, 1_000_000L, frames);
  }

  /** A pcap of {@code frames} of link type {@code linkType}, {@code stepNs} apart from {@code t0Ns} (µs resolution). */
  public static void writePcap(java.nio.file.Path file, long t0Ns, int linkType, long stepNs, java.util.List<byte[]> frames)
      throws java.io.IOException {
    int size = 24;
    for (byte[] f : frames) size += 16 + f.length;
    ByteBuffer b = ByteBuffer.allocate(size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262_144).putInt(linkType);
    long ns = t0Ns;
    for (byte[] f : frames) {
      b.putInt((int) (ns / 1_000_000_000L)).putInt((int) (ns % 1_000_000_000L / 1000)).putInt(f.length).putInt(f.length);
      b.put(f);
      ns += stepNs;
    }
    java.nio.file.Files.write(file, b.array());
  }

  /**
   * An IPFIX message with a template of one 1-byte field (protocol, IE 4) and a data set of {@code dataBytes} such
   * records: the review's datagram that gave 64,968 rows.
   */
  public static byte[] ipfixOneByteTemplate(int dataBytes) {
    int length = 16 + 12 + 4 + dataBytes;
    ByteBuffer b = ByteBuffer.allocate(length);
    b.putShort((short) 10).putShort((short) length).putInt(1_700_000_000).putInt(0).putInt(0);
    b.putShort((short) 2).putShort((short) 12).putShort((short) 256).putShort((short) 1).putShort((short) 4).putShort((short) 1);
    b.putShort((short) 256).putShort((short) (4 + dataBytes));
    for (int i = 0; i < dataBytes; i++) {
      b.put((byte) 6);
    }
    return b.array();
  }

  /**
   * A seeded mutation of {@code original}: a few bytes overwritten, a 16-bit field set to 0, 1 or 0xFFFF (lengths,
   * counts, ids), cut short, or grown by random bytes; never empty. The same seed gives the same bytes.
   */
  public static byte[] mutate(byte[] original, java.util.Random random) {
    byte[] b = original.clone();
    switch (random.nextInt(5)) {
      case 0 -> {
        for (int n = 1 + random.nextInt(8); n > 0; n--) {
          b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> {
        if (b.length >= 2) {
          int at = random.nextInt(b.length - 1);
          int v = new int[] {0, 1, 0xFFFF, 0x8000}[random.nextInt(4)];
          b[at] = (byte) (v >>> 8);
          b[at + 1] = (byte) v;
        }
      }
      case 2 -> b = java.util.Arrays.copyOf(b, 1 + random.nextInt(b.length));
      case 3 -> {
        byte[] grown = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(64));
        for (int i = b.length; i < grown.length; i++) {
          grown[i] = (byte) random.nextInt(256);
        }
        b = grown;
      }
      default -> {
        int at = random.nextInt(b.length);
        b[at] = (byte) (b[at] ^ (1 << random.nextInt(8)));
      }
    }
    return b;
  }

  /**
   * An IPFIX message defining {@code count} templates (ids from {@code firstId}) of {@code fields} 4-byte fields each
   * (information elements 1000 and up, which the decoder skips): the review's exporters with many large templates.
   */
  public static byte[] ipfixTemplates(int firstId, int count, int fields, int sequence) {
    int setLength = 4 + count * (4 + 4 * fields);
    int length = 16 + setLength;
    if (length > 65_535) {
      throw new IllegalArgumentException("more than one IPFIX message holds: " + length);
    }
    ByteBuffer b = ByteBuffer.allocate(length);
    b.putShort((short) 10).putShort((short) length).putInt(1_700_000_000).putInt(sequence).putInt(0);
    b.putShort((short) 2).putShort((short) setLength);
    for (int t = 0; t < count; t++) {
      b.putShort((short) (firstId + t)).putShort((short) fields);
      for (int f = 0; f < fields; f++) {
        b.putShort((short) (1000 + f)).putShort((short) 4);
      }
    }
    return b.array();
  }
}
