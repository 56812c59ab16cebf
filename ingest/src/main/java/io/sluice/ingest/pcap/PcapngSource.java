package io.sluice.ingest.pcap;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng files: any number of sections, each in its own byte order, with their own interfaces.
 * Reads Enhanced, Simple and (obsolete) Packet Blocks; other blocks are skipped by their length.
 */
final class PcapngSource implements FrameSource {
  static final int SHB = 0x0a0d0d0a;
  private static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
  private static final int IDB = 1;
  private static final int OBSOLETE_PACKET_BLOCK = 2;
  private static final int SPB = 3;
  private static final int EPB = 6;
  private static final int OPT_END = 0;
  private static final int IF_TSRESOL = 9;
  private static final int IF_TSOFFSET = 14;

  private final CaptureInput in;
  private final byte[] blockHeader = new byte[8];
  private final byte[] fixed = new byte[20];
  private ByteOrder order;
  private final List<Interface> interfaces = new ArrayList<>();
  /** Simple Packet Blocks have no timestamp: they inherit the previous frame's, so event time never goes backwards. */
  private long lastTimestampNs;

  private record Interface(int linkType, long snapLen, boolean decimal, int exponent, long offsetSeconds) {
    long toNanos(long units) {
      long ns;
      if (decimal) {
        ns = exponent <= 9 ? units * POW10[9 - exponent] : units / POW10[exponent - 9];
      } else {
        long whole = exponent >= 64 ? 0 : units >>> exponent;
        long fraction = units & ((1L << exponent) - 1);
        // fraction < 2^exponent, so fraction * 10^9 fits in a long when exponent <= 33.
        long fractionNs = exponent <= 33
            ? (fraction * 1_000_000_000L) >>> exponent
            : BigInteger.valueOf(fraction).multiply(BigInteger.valueOf(1_000_000_000L)).shiftRight(exponent).longValue();
        ns = whole * 1_000_000_000L + fractionNs;
      }
      return ns + offsetSeconds * 1_000_000_000L;
    }
  }

  private static final long[] POW10 = new long[19];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  private PcapngSource(CaptureInput in) {
    this.in = in;
  }

  /** Starts reading after the first four bytes (the SHB type), which the caller consumed. */
  static PcapngSource open(CaptureInput in) throws IOException {
    PcapngSource source = new PcapngSource(in);
    source.readSectionHeader(0);
    return source;
  }

  @Override
  public CaptureFrame next() throws IOException {
    while (true) {
      long at = in.offset();
      int n = in.readUpTo(blockHeader, 4);
      if (n == 0) {
        return null;
      }
      if (n < 4) {
        throw new java.io.EOFException(in.error("truncated block header", at));
      }
      int type = CaptureInput.intAt(blockHeader, 0, order);
      if (type == SHB) {
        readSectionHeader(at);
        continue;
      }
      long length = in.readInt(order, "block length") & 0xffffffffL;
      checkLength(length, at);
      long body = length - 12;
      CaptureFrame frame = switch (type) {
        case IDB -> {
          readInterface(body, at);
          yield null;
        }
        case EPB -> readEnhancedPacket(body, at);
        case SPB -> readSimplePacket(body, at);
        case OBSOLETE_PACKET_BLOCK -> readObsoletePacket(body, at);
        default -> {
          in.skipFully(body, "block body");
          yield null;
        }
      };
      long trailer = in.readInt(order, "block trailing length") & 0xffffffffL;
      if (trailer != length) {
        throw new IOException(in.error("block trailing length " + trailer + " differs from its leading length "
            + length + " (corrupt file?)", at));
      }
      if (frame != null) {
        return frame;
      }
    }
  }

  private void checkLength(long length, long at) throws IOException {
    if (length < 12 || length % 4 != 0 || length > CaptureReader.MAX_BLOCK_BYTES) {
      throw new IOException(in.error("invalid block length " + length + " (must be a multiple of 4 between 12 and "
          + CaptureReader.MAX_BLOCK_BYTES + ")", at));
    }
  }

  private void readSectionHeader(long at) throws IOException {
    byte[] raw = new byte[8];
    in.readFully(raw, 0, 8, "section header block");
    int magicBe = CaptureInput.intAt(raw, 4, ByteOrder.BIG_ENDIAN);
    if (magicBe == BYTE_ORDER_MAGIC) {
      order = ByteOrder.BIG_ENDIAN;
    } else if (Integer.reverseBytes(magicBe) == BYTE_ORDER_MAGIC) {
      order = ByteOrder.LITTLE_ENDIAN;
    } else {
      throw new IOException(in.error("section header has no valid byte-order magic", at));
    }
    long length = CaptureInput.intAt(raw, 0, order) & 0xffffffffL;
    checkLength(length, at);
    if (length < 28) {
      throw new IOException(in.error("section header block too short: " + length, at));
    }
    int major = in.readUnsignedShort(order, "section header version");
    if (major != 1) {
      throw new IOException(in.error("unsupported pcapng major version " + major, at));
    }
    // minor version (2), section length (8), options: nothing we need.
    in.skipFully(length - 12 - 4 - 2, "section header block");
    long trailer = in.readInt(order, "block trailing length") & 0xffffffffL;
    if (trailer != length) {
      throw new IOException(in.error("section header trailing length " + trailer + " differs from " + length, at));
    }
    interfaces.clear();
  }

  private void readInterface(long body, long at) throws IOException {
    if (body < 8) {
      throw new IOException(in.error("interface description block too short", at));
    }
    byte[] b = new byte[(int) body];
    in.readFully(b, 0, b.length, "interface description block");
    int linkType = CaptureInput.shortAt(b, 0, order);
    long snapLen = CaptureInput.intAt(b, 4, order) & 0xffffffffL;
    boolean decimal = true;
    int exponent = 6;
    long offsetSeconds = 0;
    int p = 8;
    while (p + 4 <= b.length) {
      int code = CaptureInput.shortAt(b, p, order);
      int len = CaptureInput.shortAt(b, p + 2, order);
      p += 4;
      if (code == OPT_END || p + len > b.length) {
        break;
      }
      if (code == IF_TSRESOL && len >= 1) {
        int v = b[p] & 0xff;
        decimal = (v & 0x80) == 0;
        exponent = v & 0x7f;
        if ((decimal && exponent > 18) || (!decimal && exponent > 62)) {
          throw new IOException(in.error("unsupported if_tsresol 0x" + Integer.toHexString(v), at));
        }
      } else if (code == IF_TSOFFSET && len >= 8) {
        offsetSeconds = CaptureInput.longAt(b, p, order);
      }
      p += (len + 3) & ~3;
    }
    if (interfaces.size() >= CaptureReader.MAX_INTERFACES) {
      throw new IOException(in.error("more than " + CaptureReader.MAX_INTERFACES + " interfaces in one section", at));
    }
    interfaces.add(new Interface(linkType, snapLen, decimal, exponent, offsetSeconds));
  }

  private Interface iface(long id, long at) throws IOException {
    if (id < 0 || id >= interfaces.size()) {
      throw new IOException(in.error("packet refers to interface " + id + " but the section declares "
          + interfaces.size(), at));
    }
    return interfaces.get((int) id);
  }

  private CaptureFrame readEnhancedPacket(long body, long at) throws IOException {
    return readTimestampedPacket(body, at, false);
  }

  private CaptureFrame readObsoletePacket(long body, long at) throws IOException {
    return readTimestampedPacket(body, at, true);
  }

  /** EPB and the obsolete Packet Block share a layout, except that the latter splits the interface id field. */
  private CaptureFrame readTimestampedPacket(long body, long at, boolean obsolete) throws IOException {
    if (body < 20) {
      throw new IOException(in.error("packet block too short", at));
    }
    in.readFully(fixed, 0, 20, "packet block");
    long ifId = obsolete ? CaptureInput.shortAt(fixed, 0, order) : CaptureInput.intAt(fixed, 0, order) & 0xffffffffL;
    Interface iface = iface(ifId, at);
    long units = (CaptureInput.intAt(fixed, 4, order) & 0xffffffffL) << 32 | (CaptureInput.intAt(fixed, 8, order) & 0xffffffffL);
    long capLen = CaptureInput.intAt(fixed, 12, order) & 0xffffffffL;
    long origLen = CaptureInput.intAt(fixed, 16, order) & 0xffffffffL;
    if (capLen > body - 20) {
      throw new IOException(in.error("captured length " + capLen + " exceeds its block", at));
    }
    byte[] data = new byte[(int) capLen];
    in.readFully(data, 0, data.length, "packet data");
    in.skipFully(body - 20 - capLen, "packet block options");
    lastTimestampNs = iface.toNanos(units);
    return new CaptureFrame(lastTimestampNs, iface.linkType, data.length, (int) Math.min(origLen, Integer.MAX_VALUE), data);
  }

  private CaptureFrame readSimplePacket(long body, long at) throws IOException {
    if (body < 4) {
      throw new IOException(in.error("simple packet block too short", at));
    }
    Interface iface = iface(0, at);
    long origLen = in.readInt(order, "simple packet block") & 0xffffffffL;
    long room = body - 4;
    long capLen = Math.min(origLen, room);
    if (iface.snapLen > 0) {
      capLen = Math.min(capLen, iface.snapLen);
    }
    byte[] data = new byte[(int) capLen];
    in.readFully(data, 0, data.length, "packet data");
    in.skipFully(room - capLen, "simple packet block padding");
    return new CaptureFrame(lastTimestampNs, iface.linkType, data.length, (int) Math.min(origLen, Integer.MAX_VALUE), data);
  }
}
