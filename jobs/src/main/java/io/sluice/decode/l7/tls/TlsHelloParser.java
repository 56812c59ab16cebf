package io.sluice.decode.l7.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Parses ClientHello and ServerHello bodies (the handshake message without its 4-byte header). */
public final class TlsHelloParser {
  /** RFC 8446 4.1.3: a HelloRetryRequest's random is SHA-256("HelloRetryRequest"). */
  static final byte[] HELLO_RETRY_RANDOM = sha256("HelloRetryRequest");
  private static final int[] NONE = new int[0];

  private TlsHelloParser() {}

  /** Null when the body is malformed. */
  public static TlsClientHello clientHello(byte[] b, int off, int len) {
    return clientHello(b, off, len, false);
  }

  /**
   * With {@code truncated}, the body is only the start of the message (the capture cut it): what lies wholly
   * inside is returned, marked truncated; null when not even the cipher suites are whole.
   */
  public static TlsClientHello clientHello(byte[] b, int off, int len, boolean truncated) {
    Reader r = new Reader(b, off, len);
    int version = r.u16();
    r.skip(32);
    byte[] sessionId = r.bytes(r.u8());
    int[] ciphers = r.u16List(r.u16());
    r.skip(r.u8()); // compression methods
    if (!r.ok) {
      return null;
    }
    String sni = "";
    List<String> alpn = List.of();
    int[] versions = NONE;
    int[] groups = NONE;
    int[] formats = NONE;
    int[] sigAlgs = NONE;
    boolean ticket = false;
    boolean psk = false;
    int[] types = NONE;
    if (r.remaining() > 0) {
      int extensionsLen = r.u16();
      int end = r.pos + extensionsLen;
      if (truncated) {
        end = Math.min(end, r.end);
      }
      types = new int[16];
      int n = 0;
      while (r.ok && r.pos + 4 <= end) {
        int type = r.u16();
        int extLen = r.u16();
        int extEnd = r.pos + extLen;
        if (extEnd > end) {
          if (truncated) {
            r.pos = end;
            break;
          }
          return null;
        }
        if (n == types.length) {
          types = Arrays.copyOf(types, n * 2);
        }
        types[n++] = type;
        switch (type) {
          case Tls.EXT_SERVER_NAME -> sni = serverName(r, extEnd);
          case Tls.EXT_ALPN -> alpn = alpn(r, extEnd);
          case Tls.EXT_SUPPORTED_VERSIONS -> versions = r.u16List(r.u8());
          case Tls.EXT_SUPPORTED_GROUPS -> groups = r.u16List(r.u16());
          case Tls.EXT_EC_POINT_FORMATS -> formats = r.u8List(r.u8());
          case Tls.EXT_SIGNATURE_ALGORITHMS -> sigAlgs = r.u16List(r.u16());
          case Tls.EXT_SESSION_TICKET -> ticket = extLen > 0;
          case Tls.EXT_PRE_SHARED_KEY -> psk = true;
          default -> { }
        }
        r.pos = extEnd;
      }
      if (!r.ok || (r.pos != end && !truncated)) {
        return null;
      }
      types = Arrays.copyOf(types, n);
    }
    return new TlsClientHello(version, sessionId, ciphers, types, sni, alpn, versions, groups, formats, sigAlgs,
        ticket, psk, truncated);
  }

  /** Null when the body is malformed. */
  public static TlsServerHello serverHello(byte[] b, int off, int len) {
    Reader r = new Reader(b, off, len);
    int version = r.u16();
    boolean retry = r.ok && r.remaining() >= 32 && Arrays.equals(b, r.pos, r.pos + 32, HELLO_RETRY_RANDOM, 0, 32);
    r.skip(32);
    byte[] sessionId = r.bytes(r.u8());
    int cipher = r.u16();
    r.skip(1); // compression method
    if (!r.ok) {
      return null;
    }
    int selected = 0;
    String alpn = "";
    boolean psk = false;
    int[] types = NONE;
    if (r.remaining() > 0) {
      int extensionsLen = r.u16();
      int end = r.pos + extensionsLen;
      types = new int[8];
      int n = 0;
      while (r.ok && r.pos + 4 <= end) {
        int type = r.u16();
        int extLen = r.u16();
        int extEnd = r.pos + extLen;
        if (extEnd > end) {
          return null;
        }
        if (n == types.length) {
          types = Arrays.copyOf(types, n * 2);
        }
        types[n++] = type;
        switch (type) {
          case Tls.EXT_SUPPORTED_VERSIONS -> selected = r.u16();
          case Tls.EXT_ALPN -> {
            List<String> chosen = alpn(r, extEnd);
            alpn = chosen.isEmpty() ? "" : chosen.get(0);
          }
          case Tls.EXT_PRE_SHARED_KEY -> psk = true;
          default -> { }
        }
        r.pos = extEnd;
      }
      if (!r.ok || r.pos != end) {
        return null;
      }
      types = Arrays.copyOf(types, n);
    }
    return new TlsServerHello(version, selected, sessionId, cipher, types, alpn, psk, retry);
  }

  private static String serverName(Reader r, int extEnd) {
    int listLen = r.u16();
    int listEnd = r.pos + listLen;
    while (r.ok && r.pos + 3 <= Math.min(listEnd, extEnd)) {
      int nameType = r.u8();
      int len = r.u16();
      if (nameType == 0 && r.pos + len <= extEnd) {
        return new String(r.b, r.pos, len, StandardCharsets.US_ASCII);
      }
      r.skip(len);
    }
    return "";
  }

  private static List<String> alpn(Reader r, int extEnd) {
    int listLen = r.u16();
    int listEnd = Math.min(r.pos + listLen, extEnd);
    List<String> out = new ArrayList<>(4);
    while (r.ok && r.pos < listEnd) {
      int len = r.u8();
      if (r.pos + len > listEnd) {
        break;
      }
      out.add(new String(r.b, r.pos, len, StandardCharsets.ISO_8859_1));
      r.skip(len);
    }
    return out;
  }

  static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bounds-checked big-endian reads; a read past the end sets {@code ok} false and returns 0. */
  private static final class Reader {
    final byte[] b;
    int pos;
    final int end;
    boolean ok = true;

    Reader(byte[] b, int off, int len) {
      this.b = b;
      this.pos = off;
      this.end = off + len;
    }

    int remaining() {
      return end - pos;
    }

    int u8() {
      if (pos + 1 > end) {
        ok = false;
        return 0;
      }
      return b[pos++] & 0xff;
    }

    int u16() {
      if (pos + 2 > end) {
        ok = false;
        pos = end;
        return 0;
      }
      int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
      pos += 2;
      return v;
    }

    void skip(int n) {
      if (pos + n > end) {
        ok = false;
        pos = end;
        return;
      }
      pos += n;
    }

    byte[] bytes(int n) {
      if (pos + n > end) {
        ok = false;
        pos = end;
        return new byte[0];
      }
      byte[] out = Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    int[] u16List(int byteLen) {
      if (byteLen % 2 != 0 || pos + byteLen > end) {
        ok = false;
        pos = end;
        return NONE;
      }
      int[] out = new int[byteLen / 2];
      for (int i = 0; i < out.length; i++) {
        out[i] = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += 2;
      }
      return out;
    }

    int[] u8List(int n) {
      if (pos + n > end) {
        ok = false;
        pos = end;
        return NONE;
      }
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        out[i] = b[pos++] & 0xff;
      }
      return out;
    }
  }
}
