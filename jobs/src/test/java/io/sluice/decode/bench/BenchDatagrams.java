package io.sluice.decode.bench;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;

/** Synthetic datagrams for the benchmarks: a typical 20-field template, and sFlow raw-header samples. */
final class BenchDatagrams {
  static final int TEMPLATE_ID = 300;
  /** IE, length: the fields a router commonly exports. */
  static final int[][] IPFIX_FIELDS = {
    {8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1}, {1, 8}, {2, 8}, {10, 4},
    {14, 4}, {152, 8}, {153, 8}, {16, 4}, {17, 4}, {15, 4}, {9, 1}, {13, 1}, {61, 1}, {89, 1},
  };
  static final int[][] V9_FIELDS = {
    {8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1}, {1, 4}, {2, 4}, {10, 4},
    {14, 4}, {22, 4}, {21, 4}, {16, 4}, {17, 4}, {15, 4}, {9, 1}, {13, 1}, {61, 1}, {89, 1},
  };

  private BenchDatagrams() {}

  interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] bytes(Body body) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      body.write(new DataOutputStream(b));
      return b.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int recordLength(int[][] fields) {
    int n = 0;
    for (int[] f : fields) n += f[1];
    return n;
  }

  private static byte[] templateSet(int setId, int[][] fields) {
    return bytes(out -> {
      out.writeShort(setId);
      out.writeShort(4 + 4 + 4 * fields.length);
      out.writeShort(TEMPLATE_ID);
      out.writeShort(fields.length);
      for (int[] f : fields) {
        out.writeShort(f[0]);
        out.writeShort(f[1]);
      }
    });
  }

  private static byte[] dataSet(int[][] fields, int records, long seed) {
    Random random = new Random(seed);
    return bytes(out -> {
      out.writeShort(TEMPLATE_ID);
      out.writeShort(4 + records * recordLength(fields));
      for (int r = 0; r < records; r++) {
        for (int[] f : fields) {
          byte[] v = new byte[f[1]];
          random.nextBytes(v);
          if (f[0] == 152 || f[0] == 153) v = longBytes(1_700_000_000_000L + random.nextInt(1_000_000));
          out.write(v);
        }
      }
    });
  }

  private static byte[] longBytes(long v) {
    return bytes(out -> out.writeLong(v));
  }

  static byte[] ipfix(boolean template, int records) {
    byte[] sets = template ? templateSet(2, IPFIX_FIELDS) : dataSet(IPFIX_FIELDS, records, 1);
    return bytes(out -> {
      out.writeShort(10);
      out.writeShort(16 + sets.length);
      out.writeInt(1_700_000_000);
      out.writeInt(0);
      out.writeInt(1);
      out.write(sets);
    });
  }

  static byte[] netflowV9(boolean template, int records) {
    byte[] sets = template ? templateSet(0, V9_FIELDS) : dataSet(V9_FIELDS, records, 2);
    return bytes(out -> {
      out.writeShort(9);
      out.writeShort(template ? 1 : records);
      out.writeInt(100_000_000);
      out.writeInt(1_700_000_000);
      out.writeInt(0);
      out.writeInt(1);
      out.write(sets);
    });
  }

  /** An sFlow v5 datagram of flow samples, each with a 128-byte Ethernet/IPv4/TCP raw header and an extended switch record. */
  static byte[] sflow(int samples) {
    byte[] header = bytes(out -> {
      out.write(new byte[] {0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xaa, (byte) 0x81, 0});
      out.write(new byte[] {0, 100, 8, 0});
      out.write(new byte[] {0x45, 0, 0x05, (byte) 0xdc, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2});
      out.write(new byte[] {(byte) 0xc3, 0x50, 0x01, (byte) 0xbb, 0, 0, 0, 1, 0, 0, 0, 2, 0x50, 0x10, (byte) 0xff, (byte) 0xff, 0, 0, 0, 0});
      out.write(new byte[128 - 14 - 4 - 20 - 20]);
    });
    byte[] sample = bytes(out -> {
      out.writeInt(1); // sequence
      out.writeInt(3); // source id
      out.writeInt(1024); // rate
      out.writeInt(1_000_000); // pool
      out.writeInt(0); // drops
      out.writeInt(3); // input
      out.writeInt(4); // output
      out.writeInt(2); // records
      out.writeInt(1); // raw header
      out.writeInt(16 + header.length);
      out.writeInt(1);
      out.writeInt(1518);
      out.writeInt(4);
      out.writeInt(header.length);
      out.write(header);
      out.writeInt(1001); // extended switch
      out.writeInt(16);
      out.writeInt(100);
      out.writeInt(0);
      out.writeInt(200);
      out.writeInt(0);
    });
    return bytes(out -> {
      out.writeInt(5);
      out.writeInt(1);
      out.write(new byte[] {10, 0, 0, (byte) 254});
      out.writeInt(0);
      out.writeInt(1);
      out.writeInt(1000);
      out.writeInt(samples);
      for (int i = 0; i < samples; i++) {
        out.writeInt(1);
        out.writeInt(sample.length);
        out.write(sample);
      }
    });
  }
}
