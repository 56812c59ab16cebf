package io.sluice.net;

import java.util.Arrays;

/**
 * IP address text to and from the 16-byte form that crosses Kafka (IPv6 as is, IPv4 mapped as ::ffff:a.b.c.d): the
 * one place addresses become text, for the collector, the jobs' rows, the loader and the CLI.
 * Pure and strict: no name lookups (unlike {@code InetAddress.getByName}), no zone ids, no octal-looking IPv4
 * octets.
 */
public final class IpAddresses {
  private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

  private IpAddresses() {}

  /** Parses an IPv4 or IPv6 address literal into 16 bytes; throws IllegalArgumentException naming the problem. */
  public static byte[] parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty address");
    }
    byte[] out = text.indexOf(':') >= 0 ? parseV6(text) : mapped(parseV4(text));
    if (out == null) {
      throw new IllegalArgumentException("not an IP address: " + text);
    }
    return out;
  }

  /** True when {@code text} parses as an IPv4 dotted quad (not IPv6, not IPv4-mapped IPv6). */
  public static boolean isV4Literal(String text) {
    return text.indexOf(':') < 0 && parseV4(text) != null;
  }

  /** 4 IPv4 bytes mapped into 16. */
  public static byte[] mapped(byte[] v4) {
    if (v4 == null) {
      return null;
    }
    byte[] out = Arrays.copyOf(MAPPED_PREFIX, 16);
    System.arraycopy(v4, 0, out, 12, 4);
    return out;
  }

  /** 4 or 16 bytes (as from {@code InetAddress.getAddress()} or a datagram) to the 16-byte form. */
  public static byte[] to16(byte[] raw) {
    if (raw.length == 16) {
      return raw.clone();
    }
    if (raw.length == 4) {
      return mapped(raw);
    }
    throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + raw.length);
  }

  /**
   * The 8 bytes of an address at {@code off} (0: the upper half, 8: the lower half) as a big-endian long: the form
   * in which prefixes and connection keys hold addresses, so that they hash and compare cheaply.
   */
  public static long longAt(byte[] a, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (a[off + i] & 0xff);
    }
    return v;
  }

  /** The 16 bytes of an address held as its upper and lower halves ({@link #longAt} at 0 and 8). */
  public static byte[] fromLongs(long hi, long lo) {
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (hi >>> (56 - 8 * i));
      out[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return out;
  }

  public static boolean isV4Mapped(byte[] a16) {
    return a16.length == 16 && Arrays.equals(a16, 0, 12, MAPPED_PREFIX, 0, 12);
  }

  /** Text form: dotted quad for IPv4-mapped addresses, RFC 5952 for the rest. */
  public static String format(byte[] a16) {
    if (a16 == null || a16.length != 16) {
      throw new IllegalArgumentException("expected a 16-byte address, got " + (a16 == null ? "null" : a16.length + " bytes"));
    }
    if (isV4Mapped(a16)) {
      return (a16[12] & 0xff) + "." + (a16[13] & 0xff) + "." + (a16[14] & 0xff) + "." + (a16[15] & 0xff);
    }
    StringBuilder sb = new StringBuilder(39);
    appendV6(sb, a16, 0);
    return sb.toString();
  }

  /**
   * Text as ClickHouse prints an IPv6 column: IPv4-mapped addresses as {@code ::ffff:a.b.c.d}, RFC 5952 for the
   * rest.
   */
  public static String clickHouseText(byte[] a16) {
    String text = format(a16);
    return isV4Mapped(a16) ? "::ffff:" + text : text;
  }

  /**
   * Appends the 16 bytes at {@code b[off..off+16)} as RFC 5952 IPv6 text, all in hex groups (an IPv4-mapped address
   * too, as a DNS AAAA record holds it): the longest run of two or more zero groups (the first when tied) becomes
   * "::".
   */
  public static void appendV6(StringBuilder sb, byte[] b, int off) {
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (group(b, off, i) != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && group(b, off, j) == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (i > 0 && i != bestStart + bestLen) {
        sb.append(':');
      }
      sb.append(Integer.toHexString(group(b, off, i)));
    }
  }

  private static int group(byte[] b, int off, int i) {
    return (b[off + 2 * i] & 0xff) << 8 | (b[off + 2 * i + 1] & 0xff);
  }

  static byte[] parseV4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int i = 0;
    int n = s.length();
    while (part < 4) {
      int start = i;
      int value = 0;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return null;
        }
      }
      int digits = i - start;
      if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
        return null;
      }
      out[part++] = (byte) value;
      if (part < 4) {
        if (i >= n || s.charAt(i) != '.') {
          return null;
        }
        i++;
      }
    }
    return i == n ? out : null;
  }

  static byte[] parseV6(String s) {
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return null;
    }
    int[] head;
    int[] tail;
    if (doubleColon >= 0) {
      head = groups(s.substring(0, doubleColon), false);
      tail = groups(s.substring(doubleColon + 2), true);
    } else {
      head = groups(s, true);
      tail = new int[0];
    }
    if (head == null || tail == null) {
      return null;
    }
    int total = head.length + tail.length;
    if (doubleColon < 0 ? total != 8 : total > 7) {
      return null;
    }
    byte[] out = new byte[16];
    for (int k = 0; k < head.length; k++) {
      out[2 * k] = (byte) (head[k] >>> 8);
      out[2 * k + 1] = (byte) head[k];
    }
    int base = 8 - tail.length;
    for (int k = 0; k < tail.length; k++) {
      out[2 * (base + k)] = (byte) (tail[k] >>> 8);
      out[2 * (base + k) + 1] = (byte) tail[k];
    }
    return out;
  }

  /** The 16-bit groups of a colon-separated run; a dotted IPv4 tail (when allowed) becomes two groups. */
  private static int[] groups(String run, boolean v4TailAllowed) {
    if (run.isEmpty()) {
      return new int[0];
    }
    String[] parts = run.split(":", -1);
    boolean v4Tail = parts[parts.length - 1].indexOf('.') >= 0;
    if (v4Tail && !v4TailAllowed) {
      return null;
    }
    int[] out = new int[parts.length + (v4Tail ? 1 : 0)];
    for (int k = 0; k < parts.length; k++) {
      String p = parts[k];
      if (v4Tail && k == parts.length - 1) {
        byte[] v4 = parseV4(p);
        if (v4 == null) {
          return null;
        }
        out[k] = (v4[0] & 0xff) << 8 | (v4[1] & 0xff);
        out[k + 1] = (v4[2] & 0xff) << 8 | (v4[3] & 0xff);
        break;
      }
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int value = 0;
      for (int c = 0; c < p.length(); c++) {
        char ch = p.charAt(c);
        int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
        if (d < 0) {
          return null;
        }
        value = value * 16 + d;
      }
      out[k] = value;
    }
    return out;
  }
}
