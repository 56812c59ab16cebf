package io.sluice.decode.l7.http2;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Header strings (one char per octet) in the parsers' binary state, without writeUTF's 64 KiB limit. */
final class Latin1 {
  private Latin1() {}

  static void write(DataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    out.writeInt(b.length);
    out.write(b);
  }

  static String read(DataInput in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
