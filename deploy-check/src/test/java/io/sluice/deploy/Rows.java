package io.sluice.deploy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A small RowBinary writer for the tables no job writes yet (exporter_stats, sources). */
final class Rows {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  int count;

  Rows le(long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (v >>> (8 * i)));
    }
    return this;
  }

  Rows u8(long v) {
    return le(v, 1);
  }

  Rows u16(long v) {
    return le(v, 2);
  }

  Rows u32(long v) {
    return le(v, 4);
  }

  Rows u64(long v) {
    return le(v, 8);
  }

  Rows varint(long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return this;
  }

  Rows str(String s) {
    byte[] b = (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    varint(b.length);
    out.write(b, 0, b.length);
    return this;
  }

  Rows fixed16(byte[] b) {
    out.write(b == null ? new byte[16] : b, 0, 16);
    return this;
  }

  Rows strings(List<String> values) {
    varint(values.size());
    values.forEach(this::str);
    return this;
  }

  Rows u32s(List<Long> values) {
    varint(values.size());
    values.forEach(this::u32);
    return this;
  }

  Rows u64s(List<Long> values) {
    varint(values.size());
    values.forEach(this::u64);
    return this;
  }

  /** A whole row an encoder wrote. */
  Rows raw(byte[] row) {
    out.write(row, 0, row.length);
    return row();
  }

  Rows row() {
    count++;
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }
}
