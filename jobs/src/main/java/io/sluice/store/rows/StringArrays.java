package io.sluice.store.rows;

import io.sluice.store.sink.RowBinary;
import java.io.ByteArrayOutputStream;
import java.util.List;

/** Array(String) in RowBinary: the element count as a LEB128 varint, then each string. */
final class StringArrays {
  private StringArrays() {}

  static void write(RowBinary out, List<String> values) {
    ByteArrayOutputStream count = new ByteArrayOutputStream(4);
    long n = values.size();
    do {
      int b = (int) (n & 0x7F);
      n >>>= 7;
      count.write(n != 0 ? b | 0x80 : b);
    } while (n != 0);
    out.raw(count.toByteArray());
    for (String v : values) {
      out.string(v);
    }
  }
}
