package io.sluice.l7;

import io.sluice.net.IpAddresses;

/**
 * A transport conversation, the same for both directions: endpoint A is the smaller of the two
 * (address, port) pairs. Addresses are 16 bytes (IPv4 mapped) held as two longs, so the key hashes and
 * serialises cheaply.
 */
public record ConnKey(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort, int protocol) {

  /** The key of a packet from (src, srcPort) to (dst, dstPort). */
  public static ConnKey of(byte[] src, int srcPort, byte[] dst, int dstPort, int protocol) {
    long sHi = hi(src);
    long sLo = lo(src);
    long dHi = hi(dst);
    long dLo = lo(dst);
    if (compare(sHi, sLo, srcPort, dHi, dLo, dstPort) <= 0) {
      return new ConnKey(sHi, sLo, srcPort, dHi, dLo, dstPort, protocol);
    }
    return new ConnKey(dHi, dLo, dstPort, sHi, sLo, srcPort, protocol);
  }

  /**
   * The unordered address/port pair of a packet, without the protocol: the Kafka key of sluice.packets.raw and
   * the L7 conversation's key.
   */
  public static ConnKey pair(byte[] src, int srcPort, byte[] dst, int dstPort) {
    return of(src, srcPort, dst, dstPort, 0);
  }

  /** True when a packet from (src, srcPort) was sent by endpoint A. */
  public boolean isFromA(byte[] src, int srcPort) {
    return hi(src) == aHi && lo(src) == aLo && srcPort == aPort;
  }

  public byte[] aAddress() {
    return IpAddresses.fromLongs(aHi, aLo);
  }

  public byte[] bAddress() {
    return IpAddresses.fromLongs(bHi, bLo);
  }

  static long hi(byte[] a) {
    return IpAddresses.longAt(a, 0);
  }

  static long lo(byte[] a) {
    return IpAddresses.longAt(a, 8);
  }

  private static int compare(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
    int c = Long.compareUnsigned(aHi, bHi);
    if (c == 0) {
      c = Long.compareUnsigned(aLo, bLo);
    }
    return c != 0 ? c : Integer.compare(aPort, bPort);
  }
}
