package io.sluice.l7;

/** Minimal raw IPv4 packets (LINKTYPE_RAW) for tests; checksums are not checked by the parser. */
final class Packets {
  private Packets() {}

  static byte[] tcp4(int srcPort, int dstPort, long seq, byte[] payload) {
    byte[] p = new byte[40 + payload.length];
    p[0] = 0x45;
    p[2] = (byte) (p.length >>> 8);
    p[3] = (byte) p.length;
    p[8] = 64;
    p[9] = 6;
    p[12] = 10; p[15] = 1;
    p[16] = 10; p[19] = 2;
    p[20] = (byte) (srcPort >>> 8);
    p[21] = (byte) srcPort;
    p[22] = (byte) (dstPort >>> 8);
    p[23] = (byte) dstPort;
    p[24] = (byte) (seq >>> 24);
    p[25] = (byte) (seq >>> 16);
    p[26] = (byte) (seq >>> 8);
    p[27] = (byte) seq;
    p[32] = 0x50;
    p[33] = 0x18; // PSH ACK
    System.arraycopy(payload, 0, p, 40, payload.length);
    return p;
  }
}
