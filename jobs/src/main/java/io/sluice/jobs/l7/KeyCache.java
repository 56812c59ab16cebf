package io.sluice.jobs.l7;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The Strings of the keys one thread made lately, by their Latin-1 bytes: a packet of a conversation seen a moment
 * ago gets the same String again, so neither its bytes, nor the String, nor its hash (Flink's key group and
 * state lookups hash the key) are made again. Direct-mapped, {@value #SIZE} slots; a slot's String is replaced by
 * the next key that maps to it. Not thread-safe: one per thread.
 */
final class KeyCache {
  static final int SIZE = 1024;
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final String[] strings = new String[SIZE];
  private final byte[][] bytes = new byte[SIZE][];

  /** The key whose Latin-1 bytes are {@code b[0, length)}. */
  String of(byte[] b, int length) {
    int slot = slot(b, length);
    byte[] held = bytes[slot];
    if (held != null && Arrays.equals(held, 0, held.length, b, 0, length)) {
      return strings[slot];
    }
    byte[] copy = Arrays.copyOf(b, length);
    String key = new String(copy, StandardCharsets.ISO_8859_1);
    bytes[slot] = copy;
    strings[slot] = key;
    return key;
  }

  /**
   * From two 8-byte words of a conversation key's 36 address/port bytes: the lower endpoint's last 4 address bytes and
   * port, and the higher endpoint's last 6 address bytes and port, whichever of the two is the client.
   */
  private static int slot(byte[] b, int length) {
    long h;
    if (length >= 24) {
      h = (long) LONG.get(b, length - 8) * 0x9E3779B97F4A7C15L ^ (long) LONG.get(b, length - 24);
    } else {
      h = 0;
      for (int i = 0; i < length; i++) {
        h = h * 31 + b[i];
      }
    }
    h *= 0x9E3779B97F4A7C15L;
    return (int) (h >>> 54); // 10 bits: SIZE slots
  }
}
