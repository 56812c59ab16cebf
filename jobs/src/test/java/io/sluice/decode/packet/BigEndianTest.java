package io.sluice.decode.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BigEndianTest {
  /** Byte by byte, the definition: the last 8 bytes of the field, most significant first. */
  private static long reference(byte[] b, int off, int len) {
    long v = 0;
    for (int i = Math.max(0, len - 8); i < len; i++) v = (v << 8) | (b[off + i] & 0xFF);
    return v;
  }

  @Test
  void unsignedOfEveryLengthAtEveryOffset() {
    byte[] b = new byte[40];
    new Random(7).nextBytes(b);
    b[3] = (byte) 0xFF; // high bit set: no sign extension
    for (int len = 0; len <= 12; len++) {
      for (int off = 0; off + len <= b.length; off++) {
        assertEquals(reference(b, off, len), BigEndian.uN(b, off, len), "len " + len + " off " + off);
      }
    }
  }

  @Test
  void addressesAreMappedCopiedAndCleared() {
    byte[] src = new byte[20];
    for (int i = 0; i < src.length; i++) src[i] = (byte) (i + 1);
    byte[] dst = new byte[16];
    BigEndian.ipv4Mapped(src, 3, dst);
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 4, 5, 6, 7}, dst);
    BigEndian.ipv6(src, 2, dst);
    for (int i = 0; i < 16; i++) assertEquals(i + 3, dst[i]);
    assertFalse(BigEndian.isZero16(dst, 0));
    BigEndian.zero16(dst);
    assertArrayEquals(new byte[16], dst);
    assertTrue(BigEndian.isZero16(dst, 0));
  }
}
