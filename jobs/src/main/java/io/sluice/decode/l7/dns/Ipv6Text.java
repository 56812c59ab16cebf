package io.sluice.decode.l7.dns;

/** RFC 5952 text for IPv6 addresses: the longest run of two or more zero groups becomes "::". */
public final class Ipv6Text {
  private Ipv6Text() {}

  public static void append(StringBuilder t, byte[] b, int p) {
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (group(b, p, i) == 0) {
        int j = i;
        while (j < 8 && group(b, p, j) == 0) {
          j++;
        }
        if (j - i > bestLen) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        t.append("::");
        i += bestLen - 1;
        continue;
      }
      if (i > 0 && i != bestStart + bestLen) {
        t.append(':');
      }
      t.append(Integer.toHexString(group(b, p, i)));
    }
  }

  private static int group(byte[] b, int p, int i) {
    return (b[p + 2 * i] & 0xFF) << 8 | (b[p + 2 * i + 1] & 0xFF);
  }
}
