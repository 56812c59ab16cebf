package io.sluice.decode.l7.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test helper: writes ClientHello / ServerHello messages and TLS records by hand. */
final class Hello {
  private Hello() {}

  static byte[] u16s(int... v) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int x : v) {
      b.write(x >>> 8);
      b.write(x);
    }
    return b.toByteArray();
  }

  static byte[] ext(int type, byte[] body) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(u16s(type, body.length));
    b.writeBytes(body);
    return b.toByteArray();
  }

  static byte[] vector16(byte[] body) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(u16s(body.length));
    b.writeBytes(body);
    return b.toByteArray();
  }

  static byte[] sni(String name) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream entry = new ByteArrayOutputStream();
    entry.write(0);
    entry.writeBytes(u16s(n.length));
    entry.writeBytes(n);
    return ext(0, vector16(entry.toByteArray()));
  }

  static byte[] alpn(String... protocols) {
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    for (String p : protocols) {
      list.write(p.length());
      list.writeBytes(p.getBytes(StandardCharsets.US_ASCII));
    }
    return ext(16, vector16(list.toByteArray()));
  }

  static byte[] versions(int... v) {
    byte[] list = u16s(v);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(list.length);
    b.writeBytes(list);
    return ext(43, b.toByteArray());
  }

  /** A handshake message: type, 24-bit length, body. */
  static byte[] message(int type, byte[] body) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(type);
    b.write(body.length >>> 16);
    b.write(body.length >>> 8);
    b.write(body.length);
    b.writeBytes(body);
    return b.toByteArray();
  }

  static byte[] clientHelloBody(byte[] sessionId, int[] ciphers, byte[]... extensions) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(u16s(0x0303));
    b.writeBytes(new byte[32]);
    b.write(sessionId.length);
    b.writeBytes(sessionId);
    b.writeBytes(vector16(u16s(ciphers)));
    b.write(1);
    b.write(0);
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    for (byte[] e : extensions) {
      ext.writeBytes(e);
    }
    b.writeBytes(vector16(ext.toByteArray()));
    return b.toByteArray();
  }

  static byte[] serverHelloBody(byte[] random, byte[] sessionId, int cipher, byte[]... extensions) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(u16s(0x0303));
    b.writeBytes(random);
    b.write(sessionId.length);
    b.writeBytes(sessionId);
    b.writeBytes(u16s(cipher));
    b.write(0);
    ByteArrayOutputStream ext = new ByteArrayOutputStream();
    for (byte[] e : extensions) {
      ext.writeBytes(e);
    }
    b.writeBytes(vector16(ext.toByteArray()));
    return b.toByteArray();
  }

  /** Records of one type carrying {@code data}, split every {@code max} bytes. */
  static byte[] records(int type, byte[] data, int max) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < data.length; i += max) {
      int n = Math.min(max, data.length - i);
      b.write(type);
      b.writeBytes(u16s(0x0303, n));
      b.write(data, i, n);
    }
    return b.toByteArray();
  }
}
