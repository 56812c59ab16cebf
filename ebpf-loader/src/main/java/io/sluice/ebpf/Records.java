package io.sluice.ebpf;

import com.google.protobuf.ByteString;
import io.sluice.ingest.ConversationKey;
import io.sluice.ingest.pcap.LinkTypes;
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
  static final int SOCKET_SIZE = 144;
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
        .setComm(cstring(rec, 88, 16))
        .setSkErr(i32(rec, 52))
        .setBytesOut(i64(rec, 104))
        .setBytesIn(i64(rec, 112))
        .setSegsOut(i32(rec, 120))
        .setSegsIn(i32(rec, 124))
        .setRetransSegs(i32(rec, 128))
        .setSocketCookie(i64(rec, 136));
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

  /** The conversation key of an Ethernet frame as the loader captures it, or null ({@link ConversationKey}). */
  public static byte[] frameKey(byte[] f, int off, int len) {
    byte[] key = new byte[KEY_LENGTH];
    return frameKey(f, off, len, key) ? key : null;
  }

  static final int KEY_LENGTH = ConversationKey.LENGTH;

  /** {@link #frameKey(byte[], int, int)} into key (36 bytes, reused): false when the frame has no key. */
  static boolean frameKey(byte[] f, int off, int len, byte[] key) {
    return ConversationKey.ofFrame(LinkTypes.ETHERNET, f, off, len, key);
  }
}
