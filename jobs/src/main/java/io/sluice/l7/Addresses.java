package io.sluice.l7;

import io.sluice.decode.l7.dns.Ipv6Text;

/** Text for 16-byte addresses: IPv4-mapped ones print as dotted quads. */
public final class Addresses {
  private Addresses() {}

  public static String text(byte[] a) {
    if (a == null || a.length != 16) {
      return "";
    }
    boolean mapped = true;
    for (int i = 0; i < 10; i++) {
      mapped &= a[i] == 0;
    }
    mapped &= a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    if (mapped) {
      return (a[12] & 0xFF) + "." + (a[13] & 0xFF) + "." + (a[14] & 0xFF) + "." + (a[15] & 0xFF);
    }
    StringBuilder sb = new StringBuilder(39);
    Ipv6Text.append(sb, a, 0);
    return sb.toString();
  }
}
