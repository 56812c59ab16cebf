package io.sluice.store.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RowBinaryTest {
  private static String hex(RowBinary rb) {
    return HexFormat.of().formatHex(Arrays.copyOf(rb.array(), rb.size()));
  }

  @Test
  void numbersAreLittleEndian() {
    RowBinary rb = new RowBinary(8).uint8(0xAB).uint16(0x1234).uint32(0xDEADBEEFL).uint64(0x0102030405060708L);
    assertEquals("ab" + "3412" + "efbeadde" + "0807060504030201", hex(rb));
  }

  /** Issue 21: a second past 2106 (or before 1970) used to wrap silently into another date. */
  @Test
  void aDateTimeOutOfRangeThrowsRatherThanWrapping() {
    assertEquals("ffffffff", hex(new RowBinary(4).dateTime(RowBinary.MAX_DATE_TIME)));
    assertEquals("00000000", hex(new RowBinary(4).dateTime(0)));
    assertThrows(IllegalArgumentException.class, () -> new RowBinary(4).dateTime(RowBinary.MAX_DATE_TIME + 1));
    assertThrows(IllegalArgumentException.class, () -> new RowBinary(4).dateTime(7_258_118_400L)); // 2200
    assertThrows(IllegalArgumentException.class, () -> new RowBinary(4).dateTime(-1));
  }

  @Test
  void stringsHaveAVarintLength() {
    RowBinary rb = new RowBinary(8).string("hé").string("x".repeat(200));
    String h = hex(rb);
    assertEquals("03" + "68c3a9", h.substring(0, 8));
    assertEquals("c801", h.substring(8, 12), "200 = 0xC8 0x01 in LEB128");
    assertEquals(1 + 3 + 2 + 200, rb.size());
  }

  /** Short ASCII strings are written char by char (issue 22); every string must still be its UTF-8 bytes. */
  @Test
  void everyStringIsItsUtf8BytesWhateverTheFastPath() {
    for (String s : new String[] {"", "ipfix", "a".repeat(127), "b".repeat(128), "abc\u00e9", "\u00e9abc",
        "x".repeat(126) + "\u20ac", "\u0000\u007f", "\ud83d\ude00 emoji"}) {
      RowBinary rb = new RowBinary(1).uint8(0xEE).string(s).uint8(0xFF); // from a tiny buffer: growth on the way
      RowBinary expected = new RowBinary(1).uint8(0xEE).bytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .uint8(0xFF);
      assertEquals(hex(expected), hex(rb), s);
    }
    assertEquals("00", hex(new RowBinary(1).string(null)));
  }

  @Test
  void fixedStringsAreZeroPaddedOverWhatTheBufferHeldBefore() {
    RowBinary rb = new RowBinary(8).fixed(new byte[] {9, 9, 9, 9, 9, 9}, 6);
    rb.clear();
    rb.fixed(new byte[] {1}, 4).fixed(null, 2);
    assertArrayEquals(new byte[] {1, 0, 0, 0, 0, 0}, Arrays.copyOf(rb.array(), rb.size()));
  }

  @Test
  void fixedStringsArePaddedAndNeverTruncated() {
    RowBinary rb = new RowBinary(8).fixed(new byte[] {1, 2}, 4);
    assertArrayEquals(new byte[] {1, 2, 0, 0}, Arrays.copyOf(rb.array(), rb.size()));
    assertThrows(IllegalArgumentException.class, () -> rb.fixed(new byte[5], 4));
  }

  @Test
  void truncateDropsAHalfWrittenRow() {
    RowBinary rb = new RowBinary(8).uint32(7);
    int mark = rb.size();
    rb.string("half");
    rb.truncate(mark);
    assertEquals("07000000", hex(rb));
  }

  @Test
  void arraysHaveACount() {
    assertEquals("02" + "01000000" + "ffffffff", hex(new RowBinary(8).uint32Array(new int[] {1, -1, 9}, 2)));
  }

  /** Numbers and 16-byte addresses at unaligned offsets, across the buffer's growth, as ByteBuffer writes them. */
  @Test
  void numbersAndAddressesAtOddOffsetsAcrossGrowth() {
    RowBinary rb = new RowBinary(1);
    java.nio.ByteBuffer expected = java.nio.ByteBuffer.allocate(4096).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    java.util.SplittableRandom random = new java.util.SplittableRandom(22);
    rb.uint8(7);
    expected.put((byte) 7);
    for (int i = 0; i < 100; i++) {
      long v = random.nextLong();
      byte[] address = new byte[16];
      for (int j = 0; j < 16; j++) {
        address[j] = (byte) random.nextInt(256);
      }
      rb.uint16((int) v).uint32(v).uint64(v).fixed(address, 16).uint8((int) v);
      expected.putShort((short) v).putInt((int) v).putLong(v).put(address).put((byte) v);
    }
    assertArrayEquals(Arrays.copyOf(expected.array(), expected.position()), Arrays.copyOf(rb.array(), rb.size()));
  }

  @Test
  void longsAsAnArrayOfUInt32KeepTheLow32Bits() {
    assertEquals("02" + "01000000" + "ffffffff",
        hex(new RowBinary(8).uint32Array(new long[] {1, 0x7_FFFF_FFFFL, 9}, 2)));
  }
}
