package io.sluice.ebpf;

import com.google.protobuf.ByteString;
import io.sluice.wire.SocketEvent;
import io.sluice.wire.SocketEventKind;

/**
 * Reads the ring-buffer records of src/main/c/events.h (little endian): socket events into the wire message here,
 * packets in {@link PacketEncoder}.
 */
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

  /**
   * The conversation key of an Ethernet frame (IPv4/IPv6, TCP/UDP, one VLAN tag), or null: the bytes of
   * {@link ConversationKey#of}, written straight from the frame.
   */
  public static byte[] frameKey(byte[] f, int off, int len) {
    byte[] key = new byte[KEY_LENGTH];
    return frameKey(f, off, len, key) ? key : null;
  }

  static final int KEY_LENGTH = 36;

  /** {@link #frameKey(byte[], int, int)} into key (36 bytes, reused): false when the frame has no key. */
  static boolean frameKey(byte[] f, int off, int len, byte[] key) {
    int end = off + len;
    int p = off + 12;
    if (end < p + 2) {
      return false;
    }
    int type = (f[p] & 0xff) << 8 | (f[p + 1] & 0xff);
    p += 2;
    if (type == 0x8100 || type == 0x88a8) {
      if (end < p + 4) {
        return false;
      }
      type = (f[p + 2] & 0xff) << 8 | (f[p + 3] & 0xff);
      p += 4;
    }
    int src;
    int dst;
    int addrLen;
    int l4;
    if (type == 0x0800 && end >= p + 20) {
      src = p + 12;
      dst = p + 16;
      addrLen = 4;
      l4 = p + (f[p] & 0x0f) * 4;
    } else if (type == 0x86dd && end >= p + 40) {
      src = p + 8;
      dst = p + 24;
      addrLen = 16;
      l4 = p + 40;
    } else {
      return false;
    }
    int sport = 0;
    int dport = 0;
    if (end >= l4 + 4) {
      sport = (f[l4] & 0xff) << 8 | (f[l4 + 1] & 0xff);
      dport = (f[l4 + 2] & 0xff) << 8 | (f[l4 + 3] & 0xff);
    }
    int c = java.util.Arrays.compareUnsigned(f, src, src + addrLen, f, dst, dst + addrLen);
    boolean srcFirst = c < 0 || (c == 0 && sport <= dport);
    putEndpoint(key, 0, f, srcFirst ? src : dst, addrLen, srcFirst ? sport : dport);
    putEndpoint(key, 18, f, srcFirst ? dst : src, addrLen, srcFirst ? dport : sport);
    return true;
  }

  /** One endpoint of a key: the address as 16 bytes (IPv4 as ::ffff:a.b.c.d), then the port, big endian. */
  private static void putEndpoint(byte[] key, int at, byte[] f, int addr, int addrLen, int port) {
    if (addrLen == 4) {
      java.util.Arrays.fill(key, at, at + 10, (byte) 0);
      key[at + 10] = (byte) 0xff;
      key[at + 11] = (byte) 0xff;
    }
    System.arraycopy(f, addr, key, at + 16 - addrLen, addrLen);
    key[at + 16] = (byte) (port >>> 8);
    key[at + 17] = (byte) port;
  }
}
