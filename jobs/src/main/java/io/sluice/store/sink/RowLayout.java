package io.sluice.store.sink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Where each column of a RowBinary row lies, from the columns' ClickHouse types: enough to tell which columns of an
 * encoded row hold their type's default (all-zero bytes, an empty string, an empty array) and to copy only some
 * columns. Only types whose default is all-zero bytes or empty are laid out; {@link #of} gives null for any other
 * (Nullable, Enum, Decimal, Tuple, Map, ...), and the rows are then staged whole.
 */
public final class RowLayout {
  private static final int STRING = -1;
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Per column: the fixed width in bytes, or STRING; arrays apart. */
  private final int[] width;
  private final boolean[] array;
  /** Where the last row walked by {@link #filledColumns} starts each column, and ends (the last entry). */
  private final int[] starts;
  private byte[] walked;
  /** Where the bytes a length read by {@link #length} counts begin. */
  private int afterLength;

  private RowLayout(int[] width, boolean[] array) {
    this.width = width;
    this.array = array;
    this.starts = new int[width.length + 1];
  }

  /** The layout of rows of columns of these types (as system.columns names them), or null when one is not laid out. */
  public static RowLayout of(List<String> types) {
    int[] width = new int[types.size()];
    boolean[] array = new boolean[types.size()];
    for (int i = 0; i < types.size(); i++) {
      String type = lowCardinalityStripped(types.get(i));
      if (type.startsWith("Array(") && type.endsWith(")")) {
        array[i] = true;
        type = lowCardinalityStripped(type.substring("Array(".length(), type.length() - 1));
      }
      Integer w = width(type);
      if (w == null) {
        return null;
      }
      width[i] = w;
    }
    return new RowLayout(width, array);
  }

  private static String lowCardinalityStripped(String type) {
    return type.startsWith("LowCardinality(") && type.endsWith(")")
        ? type.substring("LowCardinality(".length(), type.length() - 1) : type;
  }

  /** Bytes of a value of the type in RowBinary, STRING for a length-prefixed one, null when not laid out. */
  private static Integer width(String type) {
    if (type.equals("String")) {
      return STRING;
    }
    if (type.startsWith("FixedString(") && type.endsWith(")")) {
      return Integer.parseInt(type.substring("FixedString(".length(), type.length() - 1));
    }
    if (type.startsWith("DateTime64(")) {
      return 8;
    }
    if (type.startsWith("DateTime(")) {
      return 4;
    }
    return switch (type) {
      case "UInt8", "Int8", "Bool" -> 1;
      case "UInt16", "Int16", "Date" -> 2;
      case "UInt32", "Int32", "Float32", "DateTime", "IPv4", "Date32" -> 4;
      case "UInt64", "Int64", "Float64" -> 8;
      case "UInt128", "Int128", "UUID", "IPv6" -> 16;
      case "UInt256", "Int256" -> 32;
      default -> null;
    };
  }

  /**
   * The columns of the row (one whole row) not at their type's default, as {@link RowEncoder#filledColumns} gives
   * them; remembers where each column lies for a {@link #copy} of the same row that follows.
   *
   * @throws IllegalArgumentException when the row is not one row of this layout
   */
  public long filledColumns(byte[] row) {
    long filled = 0;
    int at = 0;
    for (int c = 0; c < width.length; c++) {
      starts[c] = at;
      boolean set;
      if (array[c]) {
        long n = length(row, at);
        at = afterLength;
        set = n != 0;
        if (n > row.length - at) {
          throw new IllegalArgumentException("an array of " + n + " elements at " + at + " in a row of " + row.length);
        }
        for (long e = 0; e < n; e++) {
          at = skip(row, at, width[c]);
        }
      } else if (width[c] == STRING) {
        set = byteAt(row, at) != 0; // a length's LEB128 is 0 only as the single byte 0
        at = skip(row, at, STRING);
      } else {
        set = !zero(row, at, width[c]);
        at += width[c];
      }
      if (set) {
        filled |= c < 63 ? 1L << c : 0;
      }
    }
    if (at != row.length) {
      throw new IllegalArgumentException("a row of " + row.length + " bytes, " + at + " laid out for its " + width.length
          + " columns");
    }
    starts[width.length] = at;
    walked = row;
    return filled;
  }

  /** Writes the {@code columns} (a set as {@link RowEncoder#has} reads it) of the row, in order. */
  public void copy(byte[] row, long columns, RowBinary out) {
    if (row != walked) {
      filledColumns(row);
    }
    int c = 0;
    while (c < width.length) {
      if (!RowEncoder.has(columns, c)) {
        c++;
        continue;
      }
      int from = c;
      while (c < width.length && RowEncoder.has(columns, c)) {
        c++;
      }
      out.raw(row, starts[from], starts[c] - starts[from]); // a run of adjacent columns in one copy
    }
  }

  /** Whether the {@code width} bytes at {@code at} are all zero (a number per word, as RowBinary writes them). */
  private static boolean zero(byte[] row, int at, int width) {
    if (width > row.length - at) {
      throw new IllegalArgumentException("a row of " + row.length + " bytes ends inside its columns");
    }
    int i = at;
    int end = at + width;
    for (; i + 8 <= end; i += 8) {
      if ((long) LONG.get(row, i) != 0) {
        return false;
      }
    }
    for (; i < end; i++) {
      if (row[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private int skip(byte[] row, int at, int width) {
    if (width != STRING) {
      return at + width;
    }
    long len = length(row, at);
    at = afterLength;
    if (len > row.length - at) {
      throw new IllegalArgumentException("a string of " + len + " bytes at " + at + " in a row of " + row.length);
    }
    return at + (int) len;
  }

  /** The LEB128 length (of a string or an array) at {@code at}; {@link #afterLength} is where what it counts starts. */
  private long length(byte[] row, int at) {
    long n = 0;
    int shift = 0;
    int b;
    do {
      b = byteAt(row, at++);
      n |= (long) (b & 0x7F) << shift;
      shift += 7;
    } while ((b & 0x80) != 0 && shift < 64);
    afterLength = at;
    return n;
  }

  private static int byteAt(byte[] row, int i) {
    if (i >= row.length) {
      throw new IllegalArgumentException("a row of " + row.length + " bytes ends inside its columns");
    }
    return row[i] & 0xFF;
  }
}
