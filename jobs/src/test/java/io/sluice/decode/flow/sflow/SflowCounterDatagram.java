package io.sluice.decode.flow.sflow;

import java.nio.ByteBuffer;

/**
 * Builds an sFlow v5 datagram with one counter sample (generic interface record 1 and Ethernet record 2), laid
 * out as sflow_version_5.txt specifies. No fixture capture has counter samples and no Debian package exports
 * them, so tests build one and have tshark decode the same bytes as an independent check.
 */
public final class SflowCounterDatagram {
  public final byte[] agent = {10, 9, 9, 9};
  public long ifIndex = 7;
  public long ifType = 6;
  public long ifSpeed = 10_000_000_000L;
  public long ifDirection = 1;
  public long ifStatus = 3; // admin up, oper up
  public long inOctets = 123_456_789_012L;
  public long inUcast = 1_000_001;
  public long inMulticast = 2_002;
  public long inBroadcast = 303;
  public long inDiscards = 44;
  public long inErrors = 5;
  public long inUnknownProtos = 6;
  public long outOctets = 98_765_432_109L;
  public long outUcast = 900_009;
  public long outMulticast = 808;
  public long outBroadcast = 77;
  public long outDiscards = 66;
  public long outErrors = 3;
  public long promiscuous = 0;
  public long[] dot3 = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23};

  public byte[] bytes(long sequence) {
    ByteBuffer b = ByteBuffer.allocate(512);
    b.putInt(5).putInt(1).put(agent).putInt(0).putInt((int) sequence).putInt(123_456).putInt(1);
    b.putInt(2); // counter sample, enterprise 0
    int sampleLengthAt = b.position();
    b.putInt(0);
    int sampleStart = b.position();
    b.putInt((int) sequence).putInt((int) ifIndex).putInt(2);
    b.putInt(1).putInt(88);
    b.putInt((int) ifIndex).putInt((int) ifType).putLong(ifSpeed).putInt((int) ifDirection).putInt((int) ifStatus)
        .putLong(inOctets).putInt((int) inUcast).putInt((int) inMulticast).putInt((int) inBroadcast)
        .putInt((int) inDiscards).putInt((int) inErrors).putInt((int) inUnknownProtos)
        .putLong(outOctets).putInt((int) outUcast).putInt((int) outMulticast).putInt((int) outBroadcast)
        .putInt((int) outDiscards).putInt((int) outErrors).putInt((int) promiscuous);
    b.putInt(2).putInt(52);
    for (long v : dot3) {
      b.putInt((int) v);
    }
    b.putInt(sampleLengthAt, b.position() - sampleStart);
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }
}
