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
    int end = off + len;
    if (len > 0 && len <= 8 && end >= 8) {
      // One 8-byte read ending at the field, masked to its bytes: no branch on the length, which
      // varies from field to field and would be mispredicted.
      return (long) LONG.get(b, end - 8) & (-1L >>> ((8 - len) << 3));
    }
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

  // Addresses are moved as whole words: a 16-byte System.arraycopy is a call to a copy stub, not inlined.
  private static final java.lang.invoke.VarHandle RAW_INT =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, java.nio.ByteOrder.nativeOrder());
  private static final java.lang.invoke.VarHandle RAW_LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.nativeOrder());
  /** Bytes 8..11 of an IPv4-mapped address: 00 00 FF FF. */
  private static final int MAPPED_WORD = 0xFFFF;

  /** Writes an IPv4 address as an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into 16 bytes. */
  public static void ipv4Mapped(byte[] src, int off, byte[] dst16) {
    int address = (int) RAW_INT.get(src, off);
    RAW_LONG.set(dst16, 0, 0L);
    INT.set(dst16, 8, MAPPED_WORD);
    RAW_INT.set(dst16, 12, address);
  }

  /** Copies 16 bytes (an IPv6 address) from {@code src} at {@code off} into {@code dst16}. */
  public static void ipv6(byte[] src, int off, byte[] dst16) {
    long high = (long) RAW_LONG.get(src, off);
    long low = (long) RAW_LONG.get(src, off + 8);
    RAW_LONG.set(dst16, 0, high);
    RAW_LONG.set(dst16, 8, low);
  }

  /** Sets 16 bytes (an address) to zero. */
  public static void zero16(byte[] a16) {
    RAW_LONG.set(a16, 0, 0L);
    RAW_LONG.set(a16, 8, 0L);
  }

  /** Whether the 16 bytes at {@code off} are all zero. */
  public static boolean isZero16(byte[] b, int off) {
    return ((long) RAW_LONG.get(b, off) | (long) RAW_LONG.get(b, off + 8)) == 0;
  }
}
