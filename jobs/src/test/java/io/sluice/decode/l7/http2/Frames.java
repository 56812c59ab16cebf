package io.sluice.decode.l7.http2;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test helper: writes HTTP/2 frames and simple HPACK blocks (literals, static indexes) by hand. */
final class Frames {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  Frames preface() {
    out.writeBytes(Http2Connection.PREFACE);
    return this;
  }

  Frames frame(int type, int flags, int stream, byte[] payload) {
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.write(stream >>> 24);
    out.write(stream >>> 16);
    out.write(stream >>> 8);
    out.write(stream);
    out.writeBytes(payload);
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  int size() {
    return out.size();
  }

  /** An HPACK block builder. */
  static final class Block {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    Block indexed(int index) {
      integer(0x80, 7, index);
      return this;
    }

    /** Literal with incremental indexing and a literal name. */
    Block add(String name, String value) {
      b.write(0x40);
      string(name);
      string(value);
      return this;
    }

    /** Literal without indexing, name from the static table. */
    Block literal(int nameIndex, String value) {
      integer(0x00, 4, nameIndex);
      string(value);
      return this;
    }

    /** Literal without indexing and a literal name. */
    Block literal(String name, String value) {
      b.write(0x00);
      string(name);
      string(value);
      return this;
    }

    Block sizeUpdate(int size) {
      integer(0x20, 5, size);
      return this;
    }

    byte[] bytes() {
      return b.toByteArray();
    }

    private void string(String s) {
      byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
      integer(0x00, 7, v.length);
      b.writeBytes(v);
    }

    private void integer(int high, int prefix, int value) {
      int max = (1 << prefix) - 1;
      if (value < max) {
        b.write(high | value);
        return;
      }
      b.write(high | max);
      value -= max;
      while (value >= 128) {
        b.write((value & 0x7f) | 0x80);
        value >>>= 7;
      }
      b.write(value);
    }
  }

  static byte[] grpcMessages(int... sizes) {
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    for (int size : sizes) {
      m.write(0);
      m.write(size >>> 24);
      m.write(size >>> 16);
      m.write(size >>> 8);
      m.write(size);
      m.writeBytes(new byte[size]);
    }
    return m.toByteArray();
  }
}
