package io.sluice.ebpf;

/**
 * The Kafka key of sluice.packets.raw and sluice.sockets.raw: the unordered address/port pair, so both
 * directions of a conversation (and its socket events) land in one partition. 36 bytes: the lower endpoint
 * (16-byte address, 2-byte port, big endian) then the higher one, compared address first, then port.
 */
public final class ConversationKey {
  private ConversationKey() {}

  public static byte[] of(byte[] a, int aPort, byte[] b, int bPort) {
    int c = java.util.Arrays.compareUnsigned(a, b);
    boolean aFirst = c < 0 || (c == 0 && aPort <= bPort);
    byte[] key = new byte[36];
    put(key, 0, aFirst ? a : b, aFirst ? aPort : bPort);
    put(key, 18, aFirst ? b : a, aFirst ? bPort : aPort);
    return key;
  }

  private static void put(byte[] key, int off, byte[] addr, int port) {
    System.arraycopy(addr, 0, key, off, 16);
    key[off + 16] = (byte) (port >>> 8);
    key[off + 17] = (byte) port;
  }

  /** IPv4 as ::ffff:a.b.c.d, IPv6 as is. */
  public static byte[] addr16(byte[] src, int off, boolean v4) {
    byte[] out = new byte[16];
    if (v4) {
      out[10] = (byte) 0xff;
      out[11] = (byte) 0xff;
      System.arraycopy(src, off, out, 12, 4);
    } else {
      System.arraycopy(src, off, out, 0, 16);
    }
    return out;
  }
}
