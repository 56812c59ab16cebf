package io.sluice.decode.l7.tls;

/** TLS constants and names shared by the parser, the rows and the fingerprints. */
public final class Tls {
  public static final int CHANGE_CIPHER_SPEC = 20;
  public static final int ALERT = 21;
  public static final int HANDSHAKE = 22;
  public static final int APPLICATION_DATA = 23;
  public static final int HEARTBEAT = 24;

  public static final int CLIENT_HELLO = 1;
  public static final int SERVER_HELLO = 2;

  public static final int EXT_SERVER_NAME = 0;
  public static final int EXT_SUPPORTED_GROUPS = 10;
  public static final int EXT_EC_POINT_FORMATS = 11;
  public static final int EXT_SIGNATURE_ALGORITHMS = 13;
  public static final int EXT_ALPN = 16;
  public static final int EXT_SESSION_TICKET = 35;
  public static final int EXT_PRE_SHARED_KEY = 41;
  public static final int EXT_SUPPORTED_VERSIONS = 43;

  private Tls() {}

  /** RFC 8701 GREASE values: 0x0a0a, 0x1a1a, ... 0xfafa. */
  public static boolean isGrease(int v) {
    return (v & 0x0f0f) == 0x0a0a && (v >>> 8) == (v & 0xff);
  }

  /** "TLS 1.3", "TLS 1.2", ... "SSL 3.0"; the hex value otherwise. */
  public static String versionName(int v) {
    return switch (v) {
      case 0x0304 -> "TLS 1.3";
      case 0x0303 -> "TLS 1.2";
      case 0x0302 -> "TLS 1.1";
      case 0x0301 -> "TLS 1.0";
      case 0x0300 -> "SSL 3.0";
      case 0x0200, 0x0002 -> "SSL 2.0";
      case 0 -> "";
      default -> String.format("0x%04x", v);
    };
  }

  /** A record header that can start a TLS stream: a handshake record of SSL 3.0 .. TLS 1.3 framing. */
  public static boolean looksLikeClientHello(byte[] b, int off, int len) {
    if (len < 6) {
      return false;
    }
    int recordLen = ((b[off + 3] & 0xff) << 8) | (b[off + 4] & 0xff);
    return b[off] == HANDSHAKE && b[off + 1] == 3 && (b[off + 2] & 0xff) <= 4 && recordLen >= 4
        && recordLen <= TlsConnection.MAX_RECORD && b[off + 5] == CLIENT_HELLO;
  }
}
