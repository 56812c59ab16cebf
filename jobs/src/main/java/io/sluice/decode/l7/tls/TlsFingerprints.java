package io.sluice.decode.l7.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Client fingerprints of a ClientHello, written from their published descriptions.
 *
 * <p>JA3 (Salesforce): MD5 of "version,ciphers,extensions,groups,point formats", decimal values joined by "-",
 * GREASE values left out. JA4 (FoxIO, JA4 TLS client): {@code a_b_c}, where a = "t" (TCP), the highest offered
 * version ("13", "12", ...), "d" with SNI else "i", the cipher and extension counts (2 digits, GREASE left out)
 * and the first and last characters of the first ALPN value ("00" without ALPN); b = the first 12 hex digits of
 * SHA-256 over the sorted cipher suites (4 hex digits each, comma separated); c = the same over the sorted
 * extensions without SNI and ALPN, then "_" and the signature algorithms in wire order.
 */
public final class TlsFingerprints {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final String EMPTY_HASH = "000000000000";

  private TlsFingerprints() {}

  public static String ja3String(TlsClientHello h) {
    StringBuilder s = new StringBuilder(256);
    s.append(h.legacyVersion()).append(',');
    decimals(s, h.cipherSuites());
    s.append(',');
    decimals(s, h.extensions());
    s.append(',');
    decimals(s, h.supportedGroups());
    s.append(',');
    decimals(s, h.ecPointFormats());
    return s.toString();
  }

  /** "" for a hello the capture cut (its lists are not whole). */
  public static String ja3(TlsClientHello h) {
    if (h.truncated()) {
      return "";
    }
    return hex(digest("MD5", ja3String(h)), 32);
  }

  /** "" for a hello the capture cut (its lists are not whole). */
  public static String ja4(TlsClientHello h) {
    if (h.truncated()) {
      return "";
    }
    int[] ciphers = withoutGrease(h.cipherSuites());
    int[] exts = withoutGrease(h.extensions());
    StringBuilder a = new StringBuilder(40);
    a.append('t').append(ja4Version(h.maxVersion()));
    a.append(h.hasExtension(Tls.EXT_SERVER_NAME) ? 'd' : 'i');
    twoDigits(a, ciphers.length);
    twoDigits(a, exts.length);
    a.append(ja4Alpn(h.alpn().isEmpty() ? "" : h.alpn().get(0)));
    a.append('_');
    a.append(ciphers.length == 0 ? EMPTY_HASH : hash12(sortedHex(ciphers)));
    a.append('_');
    int[] rest = Arrays.stream(exts).filter(e -> e != Tls.EXT_SERVER_NAME && e != Tls.EXT_ALPN).toArray();
    if (rest.length == 0) {
      a.append(EMPTY_HASH);
    } else {
      StringBuilder c = new StringBuilder(sortedHex(rest));
      int[] sig = withoutGrease(h.signatureAlgorithms());
      if (sig.length > 0) {
        c.append('_');
        hexList(c, sig);
      }
      a.append(hash12(c.toString()));
    }
    return a.toString();
  }

  static String ja4Version(int v) {
    return switch (v) {
      case 0x0304 -> "13";
      case 0x0303 -> "12";
      case 0x0302 -> "11";
      case 0x0301 -> "10";
      case 0x0300 -> "s3";
      case 0x0200, 0x0002 -> "s2";
      case 0xfeff -> "d1";
      case 0xfefd -> "d2";
      case 0xfefc -> "d3";
      default -> "00";
    };
  }

  static String ja4Alpn(String alpn) {
    if (alpn.isEmpty()) {
      return "00";
    }
    char first = alpn.charAt(0);
    char last = alpn.charAt(alpn.length() - 1);
    if (alnum(first) && alnum(last)) {
      return "" + first + last;
    }
    return "" + HEX[(first >>> 4) & 0xf] + HEX[last & 0xf];
  }

  private static boolean alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static void twoDigits(StringBuilder s, int n) {
    int v = Math.min(n, 99);
    s.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
  }

  private static int[] withoutGrease(int[] values) {
    return Arrays.stream(values).filter(v -> !Tls.isGrease(v)).toArray();
  }

  private static String sortedHex(int[] values) {
    int[] sorted = values.clone();
    Arrays.sort(sorted);
    StringBuilder s = new StringBuilder(sorted.length * 5);
    hexList(s, sorted);
    return s.toString();
  }

  private static void hexList(StringBuilder s, int[] values) {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        s.append(',');
      }
      int v = values[i];
      s.append(HEX[(v >>> 12) & 0xf]).append(HEX[(v >>> 8) & 0xf]).append(HEX[(v >>> 4) & 0xf]).append(HEX[v & 0xf]);
    }
  }

  private static void decimals(StringBuilder s, int[] values) {
    boolean first = true;
    for (int v : values) {
      if (Tls.isGrease(v)) {
        continue;
      }
      if (!first) {
        s.append('-');
      }
      s.append(v);
      first = false;
    }
  }

  private static String hash12(String s) {
    return hex(digest("SHA-256", s), 12);
  }

  private static byte[] digest(String algorithm, String s) {
    try {
      return MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] d, int chars) {
    char[] out = new char[chars];
    for (int i = 0; i < chars; i++) {
      int v = d[i / 2] & 0xff;
      out[i] = HEX[i % 2 == 0 ? v >>> 4 : v & 0xf];
    }
    return new String(out);
  }
}
