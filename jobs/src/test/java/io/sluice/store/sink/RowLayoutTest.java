package io.sluice.store.sink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.store.rows.PreEncodedRows;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Finding the filled columns of an encoded row, and copying some of them, by the columns' types. */
class RowLayoutTest {
  private static final List<String> TYPES = List.of("DateTime", "UInt64", "LowCardinality(String)", "FixedString(16)",
      "IPv6", "UInt16", "String", "Array(String)", "Array(UInt16)", "Int16", "UInt8", "Array(LowCardinality(String))");
  private static final List<String> NAMES = List.of("time", "ns", "node", "a", "b", "port", "name", "answers",
      "suites", "status", "flag", "tags");

  /** One row; each column at its default when its bit in {@code filled} is clear. */
  private static byte[] row(long filled) {
    return row(filled, 0xFFF);
  }

  /** The same with only the columns in {@code written}: what an encoder writing only those would write. */
  private static byte[] row(long filled, long written) {
    RowBinary out = new RowBinary(256);
    byte[] addr = new byte[16];
    addr[15] = 1;
    byte[] v6 = new byte[16];
    v6[0] = (byte) 0xfd;
    for (int i = 0; i < 12; i++) {
      if ((written & (1L << i)) == 0) {
        continue;
      }
      boolean f = (filled & (1L << i)) != 0;
      switch (i) {
        case 0 -> out.dateTime(f ? 1_700_000_000L : 0);
        case 1 -> out.uint64(f ? 1L << 40 : 0);
        case 2 -> out.string(f ? "node-1" : "");
        case 3 -> out.fixed(f ? addr : new byte[16], 16);
        case 4 -> out.fixed(f ? v6 : new byte[16], 16);
        case 5 -> out.uint16(f ? 53 : 0);
        case 6 -> out.string(f ? "x".repeat(200) : ""); // a two-byte length
        case 7 -> out.stringArray(f ? List.of("a. A 1.2.3.4", "") : List.of());
        case 8 -> {
          if (f) {
            out.uint8(3).uint16(0x1301).uint16(0).uint16(0xc02f);
          } else {
            out.uint8(0);
          }
        }
        case 9 -> out.int16(f ? -1 : 0);
        case 10 -> out.uint8(f ? 1 : 0);
        default -> out.stringArray(f ? List.of("") : List.of());
      }
    }
    return out.toByteArray();
  }

  @Test
  void findsEachFilledColumnByItsType() {
    RowLayout layout = RowLayout.of(TYPES);
    for (int i = 0; i < 12; i++) {
      assertEquals(1L << i, layout.filledColumns(row(1L << i)), "only column " + NAMES.get(i) + " filled");
    }
    assertEquals(0xFFFL, layout.filledColumns(row(0xFFF)));
    assertEquals(0L, layout.filledColumns(row(0)));
  }

  @Test
  void copiesTheChosenColumnsAsAnEncoderWritingOnlyThoseWould() {
    RowLayout layout = RowLayout.of(TYPES);
    for (long chosen : new long[] {0b1010_0110_1001L, 0b0101_1001_0110L, 0xFFFL, 1L, 0x800L}) {
      RowBinary narrow = new RowBinary(64);
      layout.copy(row(0xFFF), chosen, narrow);
      assertArrayEquals(row(0xFFF, chosen), narrow.toByteArray(), "columns " + Long.toBinaryString(chosen));
    }
  }

  @Test
  void typesWhoseDefaultIsNotZeroBytesAreNotLaidOut() {
    assertNull(RowLayout.of(List.of("UInt8", "Nullable(String)")));
    assertNull(RowLayout.of(List.of("Enum8('a' = 1, 'b' = 0)")));
    assertNull(RowLayout.of(List.of("Decimal(9, 2)")));
    assertEquals(RowEncoder.ALL_COLUMNS, new PreEncodedRows(List.of("a", "b")).forColumnTypes(
        List.of("UInt8", "Nullable(String)")).filledColumns(new byte[] {0, 1}), "rows of such tables go whole");
    assertEquals(RowEncoder.ALL_COLUMNS, new PreEncodedRows(List.of("a")).filledColumns(new byte[] {0}),
        "before the types are known, rows go whole");
  }

  @Test
  void aRowThatDoesNotFitTheLayoutIsRefused() {
    RowLayout layout = RowLayout.of(TYPES);
    byte[] full = row(0xFFF);
    assertThrows(IllegalArgumentException.class, () -> layout.filledColumns(Arrays.copyOf(full, full.length - 1)));
    assertThrows(IllegalArgumentException.class, () -> layout.filledColumns(Arrays.copyOf(full, full.length + 1)));
  }

  @Test
  void preEncodedRowsWithTypesStageOnlyTheChosenColumns() {
    RowEncoder<byte[]> encoder = new PreEncodedRows(NAMES).forColumnTypes(TYPES);
    byte[] r = row(0b1111);
    assertEquals(0b1111L, encoder.filledColumns(r));
    RowBinary out = new RowBinary(64);
    encoder.encode(r, out, 0b1111L);
    assertEquals(4 + 8 + 7 + 16, out.size());
    out.clear();
    encoder.encode(r, out, RowEncoder.ALL_COLUMNS);
    assertArrayEquals(r, out.toByteArray());
  }

  /** Lengths of 128 and more take several LEB128 bytes, in strings and in arrays. */
  @Test
  void longStringsAndArraysAreWalkedPastTheirWholeLength() {
    RowLayout layout = RowLayout.of(List.of("String", "Array(UInt8)", "UInt8"));
    byte[] longArray = new byte[300];
    RowBinary row = new RowBinary(1024).string("x".repeat(200)).uint8(0x80 | (300 & 0x7F)).uint8(300 >> 7)
        .raw(longArray).uint8(7);
    byte[] r = row.toByteArray();
    assertEquals(0b111L, layout.filledColumns(r));
    RowBinary out = new RowBinary(16);
    layout.copy(r, 0b100L, out);
    assertArrayEquals(new byte[] {7}, out.toByteArray());
  }
}
