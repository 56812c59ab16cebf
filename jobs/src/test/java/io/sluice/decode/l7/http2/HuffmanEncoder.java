package io.sluice.decode.l7.http2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test helper: HPACK Huffman encoding with the codes rebuilt in {@link HpackHuffman}. */
final class HuffmanEncoder {
  private HuffmanEncoder() {}

  /** A Huffman string literal: length prefix with the H bit, then the code padded with ones. */
  static byte[] literal(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long acc = 0;
    int bits = 0;
    for (byte c : s.getBytes(StandardCharsets.ISO_8859_1)) {
      int sym = c & 0xff;
      acc = (acc << HpackHuffman.LENGTHS[sym]) | HpackHuffman.CODES[sym];
      bits += HpackHuffman.LENGTHS[sym];
      while (bits >= 8) {
        out.write((int) (acc >>> (bits - 8)));
        bits -= 8;
      }
    }
    if (bits > 0) {
      out.write((int) ((acc << (8 - bits)) | ((1 << (8 - bits)) - 1)));
    }
    byte[] code = out.toByteArray();
    ByteArrayOutputStream lit = new ByteArrayOutputStream();
    if (code.length < 127) {
      lit.write(0x80 | code.length);
    } else {
      lit.write(0xff);
      int v = code.length - 127;
      while (v >= 128) {
        lit.write((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      lit.write(v);
    }
    lit.writeBytes(code);
    return lit.toByteArray();
  }
}
