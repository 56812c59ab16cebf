package io.sluice.ingest.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** A buffered input stream that knows its offset, so errors can say where the file is corrupt. */
final class CaptureInput implements AutoCloseable {
  private final InputStream in;
  private final Path file;
  private final byte[] scratch = new byte[8];
  private long offset;

  CaptureInput(InputStream in, Path file) {
    this.in = in;
    this.file = file;
  }

  long offset() {
    return offset;
  }

  /** Reads up to {@code buf.length} bytes; returns how many were read before end of file. */
  int readUpTo(byte[] buf, int len) throws IOException {
    int n = in.readNBytes(buf, 0, len);
    offset += n;
    return n;
  }

  void readFully(byte[] buf, int off, int len, String what) throws IOException {
    int n = in.readNBytes(buf, off, len);
    offset += n;
    if (n < len) {
      throw new EOFException(error("truncated " + what + ": wanted " + len + " bytes, file ends after " + n, offset - n));
    }
  }

  void skipFully(long len, String what) throws IOException {
    long start = offset;
    long left = len;
    while (left > 0) {
      long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException(error("truncated " + what + ": file ends " + left + " bytes early", start));
        }
        skipped = 1;
      }
      left -= skipped;
      offset += skipped;
    }
  }

  int readInt(ByteOrder order, String what) throws IOException {
    readFully(scratch, 0, 4, what);
    return intAt(scratch, 0, order);
  }

  int readUnsignedShort(ByteOrder order, String what) throws IOException {
    readFully(scratch, 0, 2, what);
    return shortAt(scratch, 0, order);
  }

  String error(String message, long at) {
    return file + ": " + message + " at offset " + at;
  }

  static int intAt(byte[] b, int i, ByteOrder order) {
    if (order == ByteOrder.BIG_ENDIAN) {
      return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
    }
    return (b[i + 3] & 0xff) << 24 | (b[i + 2] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i] & 0xff);
  }

  static int shortAt(byte[] b, int i, ByteOrder order) {
    if (order == ByteOrder.BIG_ENDIAN) {
      return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }
    return (b[i + 1] & 0xff) << 8 | (b[i] & 0xff);
  }

  static long longAt(byte[] b, int i, ByteOrder order) {
    long first = intAt(b, i, order) & 0xffffffffL;
    long second = intAt(b, i + 4, order) & 0xffffffffL;
    return order == ByteOrder.BIG_ENDIAN ? first << 32 | second : second << 32 | first;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
