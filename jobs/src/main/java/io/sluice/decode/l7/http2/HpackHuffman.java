package io.sluice.decode.l7.http2;

/**
 * The HPACK Huffman code (RFC 7541 Appendix B). The code is canonical: within one length, codes increase with
 * the symbol, and each length starts where the previous one ended, shifted left. So the code lengths alone
 * define it; the codes are rebuilt from them here and decoded the canonical way, one bit at a time.
 */
final class HpackHuffman {
  static final int EOS = 256;

  /** Code length in bits of symbols 0..256 (256 is EOS), as listed in RFC 7541 Appendix B. */
  static final byte[] LENGTHS = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // 32-47  ' ' .. '/'
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // 48-63  '0' .. '?'
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 64-79  '@' .. 'O'
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 80-95  'P' .. '_'
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // 96-111 '`' .. 'o'
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 112-127 'p' .. DEL
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
    30 // EOS
  };

  static final int MAX_LEN = 30;
  /** The code of each symbol, right-aligned. */
  static final int[] CODES = new int[257];
  /** Per length: the first code, how many codes, and where its symbols start in {@link #SYMBOLS}. */
  private static final int[] FIRST = new int[MAX_LEN + 2];
  private static final int[] COUNT = new int[MAX_LEN + 2];
  private static final int[] OFFSET = new int[MAX_LEN + 2];
  private static final int[] SYMBOLS = new int[257];

  static {
    for (byte l : LENGTHS) {
      COUNT[l]++;
    }
    int code = 0;
    int offset = 0;
    for (int len = 1; len <= MAX_LEN; len++) {
      code = (code + COUNT[len - 1]) << 1;
      FIRST[len] = code;
      OFFSET[len] = offset;
      offset += COUNT[len];
    }
    int[] next = FIRST.clone();
    int[] fill = OFFSET.clone();
    for (int sym = 0; sym <= EOS; sym++) {
      int len = LENGTHS[sym];
      CODES[sym] = next[len]++;
      SYMBOLS[fill[len]++] = sym;
    }
  }

  private HpackHuffman() {}

  /**
   * Decodes {@code len} bytes into {@code out} (chars 0..255). Returns false on an EOS symbol, padding longer
   * than 7 bits, or padding that is not the EOS prefix (all ones).
   *
   * <p>Codes of up to 8 bits (the printable ASCII of headers, mostly) come from one table lookup on the next 8
   * bits; longer ones are found the canonical way, length by length.
   */
  static boolean decode(byte[] b, int off, int len, StringBuilder out) {
    long acc = 0;
    int bits = 0;
    int i = off;
    int end = off + len;
    while (true) {
      while (bits <= 56 && i < end) {
        acc = (acc << 8) | (b[i++] & 0xff);
        bits += 8;
      }
      if (bits == 0) {
        return true;
      }
      int peek = bits >= 8 ? (int) (acc >>> (bits - 8)) & 0xff
          : (int) ((acc << (8 - bits)) | ((1 << (8 - bits)) - 1)) & 0xff;
      int fast = FAST[peek];
      if (fast != 0 && (fast & 0xf) <= bits) {
        out.append((char) (fast >>> 4));
        bits -= fast & 0xf;
        continue;
      }
      if (i >= end && bits <= 7) {
        long mask = (1L << bits) - 1;
        return (acc & mask) == mask; // the rest is padding: at most 7 bits, all ones
      }
      int sym = -1;
      for (int l = 9; l <= Math.min(MAX_LEN, bits); l++) {
        int code = (int) (acc >>> (bits - l)) & ((1 << l) - 1);
        int index = code - FIRST[l];
        if (index >= 0 && index < COUNT[l]) {
          sym = SYMBOLS[OFFSET[l] + index];
          bits -= l;
          break;
        }
      }
      if (sym < 0 || sym == EOS) {
        return false;
      }
      out.append((char) sym);
    }
  }

  /** For each 8-bit prefix: (symbol << 4) | length when a code of at most 8 bits starts it; 0 otherwise. */
  private static final short[] FAST = new short[256];

  static {
    for (int sym = 0; sym < EOS; sym++) {
      int l = LENGTHS[sym];
      if (l <= 8) {
        int prefix = CODES[sym] << (8 - l);
        for (int k = 0; k < (1 << (8 - l)); k++) {
          FAST[prefix | k] = (short) ((sym << 4) | l);
        }
      }
    }
  }
}
