package io.sluice.store.sink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable buffer of rows in ClickHouse's RowBinary format: little-endian fixed-width numbers, strings as a
 * LEB128 length and bytes, arrays as a LEB128 count and elements. The same bytes serve IPv6 and FixedString(16),
 * and LowCardinality(String) and String, so one encoding fits old and new servers.
 */
public final class RowBinary {
  // One bounds check and one store per number, instead of one per byte (the flows row has 56 columns).
  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private byte[] buf;
  private int size;

  public RowBinary(int initialCapacity) {
    buf = new byte[Math.max(64, initialCapacity)];
  }

  public int size() {
    return size;
  }

  public byte[] array() {
    return buf;
  }

  public void clear() {
    size = 0;
  }

  /** Drops everything after {@code newSize}, e.g. a row whose encoding failed half way. */
  public void truncate(int newSize) {
    if (newSize < 0 || newSize > size) {
      throw new IllegalArgumentException("truncate to " + newSize + " of " + size);
    }
    size = newSize;
  }

  public RowBinary uint8(int v) {
    ensure(1);
    buf[size++] = (byte) v;
    return this;
  }

  public RowBinary uint16(int v) {
    ensure(2);
    SHORT.set(buf, size, (short) v);
    size += 2;
    return this;
  }

  /** Int16: two's complement, little-endian, as UInt16. */
  public RowBinary int16(int v) {
    return uint16(v);
  }

  public RowBinary uint32(long v) {
    ensure(4);
    INT.set(buf, size, (int) v);
    size += 4;
    return this;
  }

  public RowBinary uint64(long v) {
    ensure(8);
    LONG.set(buf, size, v);
    size += 8;
    return this;
  }

  /** The last second a DateTime column holds (2106-02-07 06:28:15 UTC). */
  public static final long MAX_DATE_TIME = 0xFFFF_FFFFL;

  /**
   * DateTime: seconds since the epoch as UInt32. A second outside 1970–2106 throws rather than wrapping into another
   * date: the decoders keep times in range (flows: {@code RecordGate}), so one here is a bug to see, not to store.
   */
  public RowBinary dateTime(long epochSeconds) {
    if (epochSeconds < 0 || epochSeconds > MAX_DATE_TIME) {
      throw new IllegalArgumentException("DateTime out of range (1970 to 2106): " + epochSeconds + " s");
    }
    return uint32(epochSeconds);
  }

  public RowBinary string(String s) {
    if (s == null) {
      return uint8(0);
    }
    // Most strings (names, types, sites) are short ASCII: written without the byte[] getBytes would make.
    int n = s.length();
    if (n < 128) {
      ensure(n + 1);
      int start = size;
      buf[size++] = (byte) n;
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c >= 0x80) {
          size = start;
          return bytes(s.getBytes(StandardCharsets.UTF_8));
        }
        buf[size++] = (byte) c;
      }
      return this;
    }
    return bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A String column holding raw bytes. */
  public RowBinary bytes(byte[] b) {
    varint(b.length);
    ensure(b.length);
    System.arraycopy(b, 0, buf, size, b.length);
    size += b.length;
    return this;
  }

  /** FixedString(n) or IPv6 (n = 16): missing bytes are zero, extra bytes are an error. */
  public RowBinary fixed(byte[] b, int n) {
    if (b != null && b.length > n) {
      throw new IllegalArgumentException("value of " + b.length + " bytes for FixedString(" + n + ")");
    }
    ensure(n);
    int len = b == null ? 0 : b.length;
    if (len == 16 && n == 16) { // an address: two 8-byte moves rather than a copy call for 16 bytes
      LONG.set(buf, size, (long) LONG.get(b, 0));
      LONG.set(buf, size + 8, (long) LONG.get(b, 8));
      size += 16;
      return this;
    }
    if (len > 0) {
      System.arraycopy(b, 0, buf, size, len);
    }
    for (int i = size + len, end = size + n; i < end; i++) { // a loop: Arrays.fill was costly per short column
      buf[i] = 0;
    }
    size += n;
    return this;
  }

  /** Bytes that are already RowBinary (a pre-encoded row). */
  public RowBinary raw(byte[] encoded) {
    ensure(encoded.length);
    System.arraycopy(encoded, 0, buf, size, encoded.length);
    size += encoded.length;
    return this;
  }

  /** {@code length} bytes of {@code encoded} from {@code offset}, already RowBinary (part of a pre-encoded row). */
  public RowBinary raw(byte[] encoded, int offset, int length) {
    ensure(length);
    System.arraycopy(encoded, offset, buf, size, length);
    size += length;
    return this;
  }

  /** A copy of what was written so far. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  public RowBinary uint32Array(int[] values, int count) {
    varint(count);
    for (int i = 0; i < count; i++) {
      uint32(values[i] & 0xFFFFFFFFL);
    }
    return this;
  }

  /** Array(UInt32) of the low 32 bits of the first {@code count} values. */
  public RowBinary uint32Array(long[] values, int count) {
    varint(count);
    for (int i = 0; i < count; i++) {
      uint32(values[i]);
    }
    return this;
  }

  public RowBinary uint64Array(java.util.List<Long> values) {
    varint(values.size());
    for (long v : values) {
      uint64(v);
    }
    return this;
  }

  public RowBinary stringArray(java.util.List<String> values) {
    varint(values.size());
    for (String v : values) {
      string(v);
    }
    return this;
  }

  private void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }
}
