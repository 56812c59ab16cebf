package io.sluice.ingest.pcap;

import java.io.IOException;
import java.nio.ByteOrder;

/** Classic libpcap files: microsecond or nanosecond magic, either byte order, and the "modified" (Kuznetsov) variant. */
final class ClassicPcapSource implements FrameSource {
  static final int MAGIC_US = 0xa1b2c3d4;
  static final int MAGIC_NS = 0xa1b23c4d;
  static final int MAGIC_MODIFIED = 0xa1b2cd34;

  private final CaptureInput in;
  private final ByteOrder order;
  private final long fractionToNs;
  private final int linkType;
  /** The Kuznetsov variant appends ifindex, protocol, pkt_type and padding (8 bytes) to each record header. */
  private final int extraHeaderBytes;
  private final byte[] header = new byte[16];

  private ClassicPcapSource(CaptureInput in, ByteOrder order, long fractionToNs, int linkType, int extra) {
    this.in = in;
    this.order = order;
    this.fractionToNs = fractionToNs;
    this.linkType = linkType;
    this.extraHeaderBytes = extra;
  }

  static boolean isMagic(int magicBigEndian) {
    int swapped = Integer.reverseBytes(magicBigEndian);
    return isNative(magicBigEndian) || isNative(swapped);
  }

  private static boolean isNative(int m) {
    return m == MAGIC_US || m == MAGIC_NS || m == MAGIC_MODIFIED;
  }

  /** Reads the 24-byte file header; {@code first4} are the file's first four bytes, already consumed. */
  static ClassicPcapSource open(CaptureInput in, byte[] first4) throws IOException {
    int magicBe = CaptureInput.intAt(first4, 0, ByteOrder.BIG_ENDIAN);
    ByteOrder order = isNative(magicBe) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    int magic = CaptureInput.intAt(first4, 0, order);
    byte[] rest = new byte[20];
    in.readFully(rest, 0, 20, "pcap file header");
    int major = CaptureInput.shortAt(rest, 0, order);
    if (major != 2) {
      throw new IOException(in.error("unsupported pcap major version " + major, 4));
    }
    // The upper bits of the link type field carry FCS information (LINKTYPE_FCS); the type is the low 16 bits.
    int linkType = CaptureInput.intAt(rest, 16, order) & 0xffff;
    long toNs = magic == MAGIC_NS ? 1 : 1000;
    return new ClassicPcapSource(in, order, toNs, linkType, magic == MAGIC_MODIFIED ? 8 : 0);
  }

  @Override
  public CaptureFrame next() throws IOException {
    long at = in.offset();
    int n = in.readUpTo(header, 16);
    if (n == 0) {
      return null;
    }
    if (n < 16) {
      throw new java.io.EOFException(in.error("truncated record header (" + n + " of 16 bytes)", at));
    }
    long seconds = CaptureInput.intAt(header, 0, order) & 0xffffffffL;
    long fraction = CaptureInput.intAt(header, 4, order) & 0xffffffffL;
    long capLen = CaptureInput.intAt(header, 8, order) & 0xffffffffL;
    long origLen = CaptureInput.intAt(header, 12, order) & 0xffffffffL;
    if (capLen > CaptureReader.MAX_FRAME_BYTES) {
      throw new IOException(in.error("record captured length " + capLen + " exceeds the limit of "
          + CaptureReader.MAX_FRAME_BYTES + " bytes (corrupt file?)", at));
    }
    if (extraHeaderBytes > 0) {
      in.skipFully(extraHeaderBytes, "modified pcap record header");
    }
    byte[] data = new byte[(int) capLen];
    in.readFully(data, 0, data.length, "record data");
    long ts = seconds * 1_000_000_000L + fraction * fractionToNs;
    return new CaptureFrame(ts, linkType, data.length, (int) Math.min(origLen, Integer.MAX_VALUE), data);
  }
}
