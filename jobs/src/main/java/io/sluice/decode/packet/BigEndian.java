package io.sluice.decode.packet;

/** Unsigned big-endian reads from byte arrays. Callers check bounds; these do not. */
public final class BigEndian {
  private BigEndian() {}

  public static int u8(byte[] b, int off) {
    return b[off] & 0xFF;
  }

  public static int u16(byte[] b, int off) {
    return (short) SHORT.get(b, off) & 0xFFFF;
  }

  public static int u24(byte[] b, int off) {
    return ((b[off] & 0xFF) << 16) | ((b[off + 1] & 0xFF) << 8) | (b[off + 2] & 0xFF);
  }

  /** The 32-bit value as a non-negative long. */
  public static long u32(byte[] b, int off) {
    return s32(b, off) & 0xFFFFFFFFL;
  }

  public static int s32(byte[] b, int off) {
    return (int) INT.get(b, off);
  }

  public static long u64(byte[] b, int off) {
    return (long) LONG.get(b, off);
  }

  // One bounds check and a byte swap per read, instead of a checked load per byte.
  private static final java.lang.invoke.VarHandle SHORT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(short[].class, java.nio.ByteOrder.BIG_ENDIAN);
  private static final java.lang.invoke.VarHandle INT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.BIG_ENDIAN);
  private static final java.lang.invoke.VarHandle LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /** An unsigned integer of 1 to 8 bytes (reduced-size encoding, RFC 7011 section 6.2); longer fields keep their last 8 bytes. */
  public static long uN(byte[] b, int off, int len) {
    switch (len) {
      case 1: return b[off] & 0xFF;
      case 2: return u16(b, off);
      case 4: return u32(b, off);
      case 8: return u64(b, off);
      default: break;
    }
    if (len > 8) {
      off += len - 8;
      len = 8;
    }
    long v = 0;
    for (int i = 0; i < len; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  /** Six bytes (a MAC address) as the low 48 bits of a long. */
  public static long u48(byte[] b, int off) {
    return ((long) u16(b, off) << 32) | u32(b, off + 2);
  }

  /** Writes an IPv4 address as an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into 16 bytes. */
  private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF};

  public static void ipv4Mapped(byte[] src, int off, byte[] dst16) {
    System.arraycopy(MAPPED_PREFIX, 0, dst16, 0, 12);
    dst16[12] = src[off];
    dst16[13] = src[off + 1];
    dst16[14] = src[off + 2];
    dst16[15] = src[off + 3];
  }

  public static void ipv6(byte[] src, int off, byte[] dst16) {
    System.arraycopy(src, off, dst16, 0, 16);
  }
}
