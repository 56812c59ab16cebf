package io.sluice.cli.demo.exporter;

import java.nio.ByteBuffer;

/**
 * Ethernet frames built from scratch (IPv4 or IPv6, then TCP, UDP or ICMP): the sampled headers of the demo's
 * sFlow agents and the frames of the pcap files the demo and `sluice bench l7` write. Pure: bytes out.
 */
public final class Frames {
  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int ICMP = 1;
  public static final int ICMPV6 = 58;
  private static final long SRC_MAC = 0x02_00_5e_00_00_01L;
  private static final long DST_MAC = 0x02_00_5e_00_00_02L;

  private Frames() {}

  /**
   * A whole frame: Ethernet, IP ({@code src.length} 4 or 16), the transport header and {@code payload}. For TCP
   * {@code flags} and {@code seq}/{@code ack} fill the header; for ICMP the ports are the type and the code.
   */
  public static byte[] frame(byte[] src, byte[] dst, int protocol, int srcPort, int dstPort, int flags, long seq, long ack,
      byte[] payload) {
    boolean v6 = src.length == 16;
    int l4Header = protocol == TCP ? 20 : 8;
    int l4Length = l4Header + payload.length;
    int ipHeader = v6 ? 40 : 20;
    ByteBuffer b = ByteBuffer.allocate(14 + ipHeader + l4Length);
    putMac(b, DST_MAC);
    putMac(b, SRC_MAC);
    b.putShort((short) (v6 ? 0x86DD : 0x0800));
    int ipStart = b.position();
    if (v6) {
      b.putInt(0x60000000).putShort((short) l4Length).put((byte) protocol).put((byte) 64).put(src).put(dst);
    } else {
      b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4Length)).putShort((short) 0).putShort((short) 0x4000)
          .put((byte) 64).put((byte) protocol).putShort((short) 0).put(src).put(dst);
      b.putShort(ipStart + 10, (short) checksum(b.array(), ipStart, 20, 0));
    }
    int l4Start = b.position();
    if (protocol == TCP) {
      b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt((int) ack)
          .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
    } else if (protocol == UDP) {
      b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) l4Length).putShort((short) 0);
    } else {
      b.put((byte) srcPort).put((byte) dstPort).putShort((short) 0).putInt((int) seq);
    }
    b.put(payload);
    int checksumAt = protocol == TCP ? 16 : protocol == UDP ? 6 : 2;
    long pseudo = protocol == ICMP ? 0 : pseudoHeader(src, dst, protocol, l4Length);
    int sum = checksum(b.array(), l4Start, l4Length, pseudo);
    b.putShort(l4Start + checksumAt, (short) (protocol == UDP && sum == 0 ? 0xFFFF : sum));
    return b.array();
  }

  /** A UDP datagram in a frame, as a collector receives it: for pcap files of flow exports. */
  public static byte[] udp(byte[] src, byte[] dst, int srcPort, int dstPort, byte[] payload) {
    return frame(src, dst, UDP, srcPort, dstPort, 0, 0, 0, payload);
  }

  private static void putMac(ByteBuffer b, long mac) {
    b.putShort((short) (mac >>> 32)).putInt((int) mac);
  }

  private static long pseudoHeader(byte[] src, byte[] dst, int protocol, int length) {
    long sum = 0;
    for (byte[] a : new byte[][] {src, dst}) {
      for (int i = 0; i < a.length; i += 2) {
        sum += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
      }
    }
    return sum + protocol + length;
  }

  private static int checksum(byte[] b, int off, int len, long initial) {
    long sum = initial;
    for (int i = 0; i < len; i += 2) {
      int hi = b[off + i] & 0xFF;
      int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
      sum += (hi << 8) | lo;
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >> 16);
    }
    return (int) (~sum & 0xFFFF);
  }
}
