package io.sluice.ingest.pcap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams the frames of a classic pcap or a pcapng file, one at a time, without loading the file.
 *
 * <p>Iterate once. A corrupt file makes {@link #readNext()} throw an IOException that names the file and
 * offset; the iterator wraps it in an {@link UncheckedIOException}. Sizes are checked before anything
 * is allocated, so a corrupt length cannot make the reader allocate more than {@link #MAX_BLOCK_BYTES}.
 */
public final class CaptureReader implements Iterable<CaptureFrame>, AutoCloseable {
  /** Larger than any real snap length (libpcap's maximum is 256 KiB; D-Bus captures reach 128 MiB but are not ours). */
  public static final int MAX_FRAME_BYTES = 1 << 20;
  /** A pcapng block holds one frame plus options. */
  public static final int MAX_BLOCK_BYTES = MAX_FRAME_BYTES + (64 << 10);
  static final int MAX_INTERFACES = 65_536;

  private final CaptureInput in;
  private final FrameSource source;
  private boolean iterated;

  private CaptureReader(CaptureInput in, FrameSource source) {
    this.in = in;
    this.source = source;
  }

  public static CaptureReader open(Path file) throws IOException {
    CaptureInput in = new CaptureInput(new BufferedInputStream(Files.newInputStream(file), 1 << 16), file);
    try {
      byte[] first4 = new byte[4];
      int n = in.readUpTo(first4, 4);
      if (n < 4) {
        throw new IOException(in.error("too short to be a capture file (" + n + " bytes)", 0));
      }
      int magic = CaptureInput.intAt(first4, 0, ByteOrder.BIG_ENDIAN);
      FrameSource source;
      if (magic == PcapngSource.SHB) {
        source = PcapngSource.open(in);
      } else if (ClassicPcapSource.isMagic(magic)) {
        source = ClassicPcapSource.open(in, first4);
      } else {
        throw new IOException(in.error(String.format("not a pcap or pcapng file (magic 0x%08x)", magic), 0));
      }
      return new CaptureReader(in, source);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** The next frame, or null at the end of the file. */
  public CaptureFrame readNext() throws IOException {
    return source.next();
  }

  @Override
  public Iterator<CaptureFrame> iterator() {
    if (iterated) {
      throw new IllegalStateException("a CaptureReader streams its file and can be iterated only once");
    }
    iterated = true;
    return new Iterator<>() {
      private CaptureFrame next;
      private boolean done;

      @Override
      public boolean hasNext() {
        if (next == null && !done) {
          try {
            next = readNext();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          done = next == null;
        }
        return next != null;
      }

      @Override
      public CaptureFrame next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        CaptureFrame frame = next;
        next = null;
        return frame;
      }
    };
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
