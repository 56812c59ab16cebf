package io.sluice.decode.l7.dns;

/**
 * Recognises DNS by content on ports that are not DNS ports: a standard query or response with exactly one
 * question whose first name is well-formed. Strict on purpose, so that other UDP traffic is not mistaken.
 */
public final class DnsDetector {
  private DnsDetector() {}

  public static boolean looksLikeDns(byte[] b, int off, int len) {
    if (len < 17) {
      return false;
    }
    int flags = (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    int opcode = (flags >>> 11) & 0xF;
    int qd = (b[off + 4] & 0xFF) << 8 | (b[off + 5] & 0xFF);
    boolean response = (flags & 0x8000) != 0;
    int an = (b[off + 6] & 0xFF) << 8 | (b[off + 7] & 0xFF);
    if (opcode != 0 || qd != 1 || (flags & 0x0040) != 0 || (!response && an != 0)) {
      return false;
    }
    // The question name: labels of 1-63 bytes ending in a zero byte, then type and class.
    int p = off + 12;
    int end = off + len;
    int labels = 0;
    while (p < end) {
      int l = b[p] & 0xFF;
      if (l == 0) {
        return p + 5 <= end && labels > 0;
      }
      if (l > 63 || ++labels > 127) {
        return false;
      }
      p += l + 1;
    }
    return false;
  }

  public static boolean looksLikeDnsOverTcp(byte[] b, int off, int len) {
    if (len < 2 + 17) {
      return false;
    }
    int msgLen = (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    return msgLen >= 17 && msgLen <= len - 2 ? looksLikeDns(b, off + 2, msgLen) : msgLen >= 17
        && looksLikeDns(b, off + 2, len - 2);
  }
}
