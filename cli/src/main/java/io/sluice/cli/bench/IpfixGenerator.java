package io.sluice.cli.bench;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * IPFIX datagrams with a typical 20-field IPv4 template (72-byte records, 18 per datagram: 1,316 bytes, 1,404 with
 * the template, within a 1,500-byte MTU): varied
 * addresses, ports, counters and interfaces, the template resent every 100 datagrams as exporters do.
 */
final class IpfixGenerator {
  static final int RECORDS_PER_DATAGRAM = 18;
  private static final int TEMPLATE_ID = 256;
  private static final int[][] FIELDS = {
      {8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1}, {1, 8}, {2, 8}, {152, 8},
      {153, 8}, {10, 4}, {14, 4}, {16, 4}, {17, 4}, {15, 4}, {9, 1}, {13, 1}, {58, 2}, {61, 1}};

  private final long domain;
  private final SplittableRandom random;
  private long sequence;
  private long datagrams;
  /** Totals of what was generated, to check what a collector stored. */
  long records;
  long octets;
  long packets;

  IpfixGenerator(long domain, long seed) {
    this.domain = domain;
    this.random = new SplittableRandom(seed);
  }

  /** The next datagram into {@code buf} (cleared first); returns its length. */
  int next(ByteBuffer buf, long nowMillis) {
    buf.clear();
    buf.putShort((short) 10).putShort((short) 0).putInt((int) (nowMillis / 1000)).putInt((int) sequence).putInt((int) domain);
    if (datagrams++ % 100 == 0) {
      buf.putShort((short) 2).putShort((short) (4 + 4 + FIELDS.length * 4)).putShort((short) TEMPLATE_ID).putShort((short) FIELDS.length);
      for (int[] field : FIELDS) {
        buf.putShort((short) field[0]).putShort((short) field[1]);
      }
    }
    buf.putShort((short) TEMPLATE_ID).putShort((short) (4 + RECORDS_PER_DATAGRAM * 72));
    for (int i = 0; i < RECORDS_PER_DATAGRAM; i++) {
      int client = random.nextInt(1 << 16);
      long recordOctets = 64 + random.nextInt(1_000_000);
      long recordPackets = 1 + random.nextInt(1000);
      records++;
      octets += recordOctets;
      packets += recordPackets;
      buf.putInt(0x0A000000 | client).putInt(0xC6336400 | random.nextInt(256))
          .putShort((short) (1024 + random.nextInt(60000))).putShort((short) (random.nextBoolean() ? 443 : 53))
          .put((byte) (random.nextInt(4) == 0 ? 17 : 6)).put((byte) 0x18).put((byte) 0)
          .putLong(recordOctets).putLong(recordPackets)
          .putLong(nowMillis - 1000).putLong(nowMillis)
          .putInt(1 + random.nextInt(48)).putInt(1 + random.nextInt(48))
          .putInt(64512 + random.nextInt(100)).putInt(15169).putInt(0xC0000201)
          .put((byte) 16).put((byte) 24).putShort((short) (100 + random.nextInt(10))).put((byte) 0);
    }
    sequence += RECORDS_PER_DATAGRAM;
    int length = buf.position();
    buf.putShort(2, (short) length);
    return length;
  }
}
