package io.sluice.ebpf;

import com.google.protobuf.ByteString;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.Direction;
import io.sluice.wire.LinkType;
import io.sluice.wire.SocketEvent;
import io.sluice.wire.SocketEventKind;

/** Reads the ring-buffer records of src/main/c/events.h (little endian) into the wire messages. */
public final class Records {
  public static final int PACKET = 1;
  public static final int SOCKET = 2;
  static final int PACKET_HEADER = 32;
  static final int SOCKET_SIZE = 104;
  private static final int SK_STATE = 1;
  private static final int SK_RETRANSMIT = 2;
  private static final int SK_UDP_SEND = 3;
  /** A connected UDP socket's sk_state is TCP_ESTABLISHED; a first send is reported as CLOSE → ESTABLISHED. */
  static final int TCP_ESTABLISHED = 1;
  static final int TCP_CLOSE = 7;

  private Records() {}

  static int u16(byte[] b, int o) {
    return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
  }

  static int i32(byte[] b, int o) {
    return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
  }

  static long i64(byte[] b, int o) {
    return (i32(b, o) & 0xffffffffL) | (long) i32(b, o + 4) << 32;
  }

  public static int ifindex(byte[] rec) {
    return i32(rec, 4);
  }

  public static long packetCgroup(byte[] rec) {
    return i64(rec, 24);
  }

  /** A packet record; clockOffset turns CLOCK_MONOTONIC into ns since the epoch. */
  public static CapturedPacket.Builder packet(byte[] rec, int size, long clockOffset) {
    int cap = Math.min(u16(rec, 2), size - PACKET_HEADER);
    return CapturedPacket.newBuilder()
        .setDirection(rec[1] == 1 ? Direction.INGRESS : rec[1] == 2 ? Direction.EGRESS : Direction.DIRECTION_UNKNOWN)
        .setIfIndex(i32(rec, 4))
        .setOrigLen(i32(rec, 8))
        .setSnapLen(cap)
        .setCapturedNs(i64(rec, 16) + clockOffset)
        .setCgroupId(i64(rec, 24))
        .setLinkType(LinkType.ETHERNET)
        .setData(ByteString.copyFrom(rec, PACKET_HEADER, cap));
  }

  public static SocketEvent.Builder socket(byte[] rec, long clockOffset) {
    int kind = rec[1];
    boolean v4 = rec[3] == 2;
    SocketEvent.Builder e = SocketEvent.newBuilder()
        .setKind(kind == SK_RETRANSMIT ? SocketEventKind.RETRANSMIT : SocketEventKind.STATE_CHANGE)
        .setPidTrusted(rec[2] != 0)
        .setSrcPort(u16(rec, 4))
        .setDstPort(u16(rec, 6))
        .setPid(i32(rec, 8))
        .setTid(i32(rec, 12))
        .setEventNs(i64(rec, 16) + clockOffset)
        .setCgroupId(i64(rec, 24))
        .setNetns(i32(rec, 32) & 0xffffffffL)
        .setProtocol(i32(rec, 36))
        .setOldState(i32(rec, 40))
        .setNewState(i32(rec, 44))
        .setSrttUs(i32(rec, 48))
        .setSrcAddr(ByteString.copyFrom(ConversationKey.addr16(rec, 56, v4)))
        .setDstAddr(ByteString.copyFrom(ConversationKey.addr16(rec, 72, v4)))
        .setComm(cstring(rec, 88, 16));
    if (kind == SK_UDP_SEND) {
      e.setOldState(TCP_CLOSE).setNewState(TCP_ESTABLISHED);
    }
    return e;
  }

  static String cstring(byte[] b, int off, int max) {
    int n = 0;
    while (n < max && b[off + n] != 0) {
      n++;
    }
    return new String(b, off, n, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** The conversation key of an Ethernet frame (IPv4/IPv6, TCP/UDP, one VLAN tag), or null. */
  public static byte[] frameKey(byte[] f, int off, int len) {
    int end = off + len;
    int p = off + 12;
    if (end < p + 2) {
      return null;
    }
    int type = (f[p] & 0xff) << 8 | (f[p + 1] & 0xff);
    p += 2;
    if (type == 0x8100 || type == 0x88a8) {
      if (end < p + 4) {
        return null;
      }
      type = (f[p + 2] & 0xff) << 8 | (f[p + 3] & 0xff);
      p += 4;
    }
    byte[] src;
    byte[] dst;
    int l4;
    if (type == 0x0800 && end >= p + 20) {
      src = ConversationKey.addr16(f, p + 12, true);
      dst = ConversationKey.addr16(f, p + 16, true);
      l4 = p + (f[p] & 0x0f) * 4;
    } else if (type == 0x86dd && end >= p + 40) {
      src = ConversationKey.addr16(f, p + 8, false);
      dst = ConversationKey.addr16(f, p + 24, false);
      l4 = p + 40;
    } else {
      return null;
    }
    if (end < l4 + 4) {
      return ConversationKey.of(src, 0, dst, 0);
    }
    int sport = (f[l4] & 0xff) << 8 | (f[l4 + 1] & 0xff);
    int dport = (f[l4 + 2] & 0xff) << 8 | (f[l4 + 3] & 0xff);
    return ConversationKey.of(src, sport, dst, dport);
  }
}
