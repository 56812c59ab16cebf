package io.sluice.ingest.pcap;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds pcapng blocks for tests of the forms editcap does not write (big-endian, SPB, obsolete blocks). */
final class PcapngWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

  PcapngWriter section(ByteOrder sectionOrder) {
    order = sectionOrder;
    ByteBuffer b = body(16);
    b.putInt(0x1a2b3c4d).putShort((short) 1).putShort((short) 0).putLong(-1);
    return block(0x0a0d0d0a, b);
  }

  /** An interface; tsresol < 0 omits the if_tsresol option (default microseconds). */
  PcapngWriter iface(int linkType, int tsresol) {
    ByteBuffer b = body(tsresol < 0 ? 8 : 20);
    b.putShort((short) linkType).putShort((short) 0).putInt(0);
    if (tsresol >= 0) {
      b.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
      b.putShort((short) 0).putShort((short) 0);
    }
    return block(1, b);
  }

  PcapngWriter enhanced(int ifId, long units, byte[] data, int origLen) {
    ByteBuffer b = body(20 + pad(data.length));
    b.putInt(ifId).putInt((int) (units >>> 32)).putInt((int) units).putInt(data.length).putInt(origLen).put(data);
    return block(6, b);
  }

  PcapngWriter obsolete(int ifId, long units, byte[] data) {
    ByteBuffer b = body(20 + pad(data.length));
    b.putShort((short) ifId).putShort((short) 0).putInt((int) (units >>> 32)).putInt((int) units)
        .putInt(data.length).putInt(data.length).put(data);
    return block(2, b);
  }

  PcapngWriter simple(byte[] data) {
    ByteBuffer b = body(4 + pad(data.length));
    b.putInt(data.length).put(data);
    return block(3, b);
  }

  PcapngWriter unknown(int type, int bodyLength) {
    return block(type, body(bodyLength));
  }

  /** A block whose length fields are given verbatim, for corrupt-input tests. */
  PcapngWriter raw(int type, int length) {
    ByteBuffer b = ByteBuffer.allocate(8).order(order);
    b.putInt(type).putInt(length);
    out.writeBytes(b.array());
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  private ByteBuffer body(int length) {
    return ByteBuffer.allocate(pad(length)).order(order);
  }

  private PcapngWriter block(int type, ByteBuffer body) {
    int total = 12 + body.capacity();
    ByteBuffer b = ByteBuffer.allocate(total).order(order);
    b.putInt(type).putInt(total).put(body.array()).putInt(total);
    out.writeBytes(b.array());
    return this;
  }

  private static int pad(int n) {
    return (n + 3) & ~3;
  }
}
