package io.sluice.decode.l7.http2;

/** Test helper: bytes from hex text with any whitespace. */
final class Hex {
  private Hex() {}

  static byte[] bytes(String hex) {
    String h = hex.replaceAll("\\s+", "");
    byte[] out = new byte[h.length() / 2];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    return out;
  }
}
