package io.sluice.ingest.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte orders, resolutions and block kinds that no fixture has, and corrupt input. */
class CaptureReaderFormatsTest {
  @TempDir Path tmp;

  private static final byte[] FRAME_A = {1, 2, 3, 4, 5};
  private static final byte[] FRAME_B = {9, 8, 7, 6, 5, 4, 3, 2};

  @Test
  void bigEndianClassicPcapEqualsTheLittleEndianOriginal() throws IOException {
    Path original = Fixtures.root().resolve("l7/zeek/http_post.pcap");
    Path swapped = write("swapped.pcap", byteSwapClassicPcap(Files.readAllBytes(original)));
    List<CaptureFrame> expected = CaptureReaderFixturesTest.readAll(original);
    List<CaptureFrame> actual = CaptureReaderFixturesTest.readAll(swapped);
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).timestampNs(), actual.get(i).timestampNs());
      assertArrayEquals(expected.get(i).data(), actual.get(i).data());
    }
  }

  @Test
  void bigEndianPcapngWithPowerOfTwoResolution() throws IOException {
    for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
      // 2^-20 s units: 1.5 s is 1.5 * 2^20 units.
      long units = 3L << 19;
      byte[] file = new PcapngWriter().section(order).iface(LinkTypes.RAW, 0x80 | 20)
          .enhanced(0, units, FRAME_A, 100).bytes();
      List<CaptureFrame> frames = CaptureReaderFixturesTest.readAll(write("p2.pcapng", file));
      assertEquals(1, frames.size());
      assertEquals(1_500_000_000L, frames.get(0).timestampNs());
      assertEquals(LinkTypes.RAW, frames.get(0).linkType());
      assertEquals(100, frames.get(0).originalLength());
      assertArrayEquals(FRAME_A, frames.get(0).data());
    }
  }

  @Test
  void defaultAndDecimalResolutions() throws IOException {
    byte[] file = new PcapngWriter().section(ByteOrder.LITTLE_ENDIAN)
        .iface(LinkTypes.ETHERNET, -1) // microseconds by default
        .iface(LinkTypes.LINUX_SLL2, 3) // milliseconds
        .iface(LinkTypes.IPV6, 12) // picoseconds
        .enhanced(0, 1_234_567L, FRAME_A, FRAME_A.length)
        .enhanced(1, 1_234L, FRAME_A, FRAME_A.length)
        .enhanced(2, 1_234_567_890_123L, FRAME_A, FRAME_A.length)
        .bytes();
    List<CaptureFrame> frames = CaptureReaderFixturesTest.readAll(write("dec.pcapng", file));
    assertEquals(List.of(1_234_567_000L, 1_234_000_000L, 1_234_567_890L),
        frames.stream().map(CaptureFrame::timestampNs).toList());
    assertEquals(List.of(LinkTypes.ETHERNET, LinkTypes.LINUX_SLL2, LinkTypes.IPV6),
        frames.stream().map(CaptureFrame::linkType).toList());
  }

  @Test
  void simpleObsoleteAndUnknownBlocksAcrossSections() throws IOException {
    byte[] file = new PcapngWriter()
        .section(ByteOrder.BIG_ENDIAN).iface(LinkTypes.LINUX_SLL, 9)
        .obsolete(0, 5_000_000_000L, FRAME_A)
        .unknown(0x0bad, 40)
        .simple(FRAME_B)
        .section(ByteOrder.LITTLE_ENDIAN).iface(LinkTypes.NULL, 6)
        .unknown(5, 8) // an Interface Statistics Block
        .enhanced(0, 7_000_000L, FRAME_B, FRAME_B.length)
        .bytes();
    List<CaptureFrame> frames = CaptureReaderFixturesTest.readAll(write("mixed.pcapng", file));
    assertEquals(3, frames.size());
    assertEquals(5_000_000_000L, frames.get(0).timestampNs());
    assertArrayEquals(FRAME_A, frames.get(0).data());
    assertEquals(LinkTypes.LINUX_SLL, frames.get(1).linkType());
    assertEquals(5_000_000_000L, frames.get(1).timestampNs(), "a simple packet inherits the previous time");
    assertArrayEquals(FRAME_B, frames.get(1).data());
    assertEquals(LinkTypes.NULL, frames.get(2).linkType());
    assertEquals(7_000_000_000L, frames.get(2).timestampNs());
  }

  @Test
  void absurdBlockLengthIsRejectedWithFileAndOffset() throws IOException {
    byte[] head = new PcapngWriter().section(ByteOrder.LITTLE_ENDIAN).iface(1, -1).bytes();
    byte[] file = concat(head, new PcapngWriter().raw(6, 0x7ffffff0).bytes());
    Path path = write("huge.pcapng", file);
    IOException e = assertThrows(IOException.class, () -> readAllChecked(path));
    assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("offset " + head.length), e.getMessage());
  }

  @Test
  void absurdClassicCaplenIsRejected() throws IOException {
    ByteBuffer b = classicHeader(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1).putInt(0).putInt(0x40000000).putInt(0x40000000);
    Path path = write("huge.pcap", java.util.Arrays.copyOf(b.array(), b.position()));
    IOException e = assertThrows(IOException.class, () -> readAllChecked(path));
    assertTrue(e.getMessage().contains("offset 24"), e.getMessage());
  }

  @Test
  void truncatedRecordAndBadTrailerAreErrors() throws IOException {
    byte[] good = new PcapngWriter().section(ByteOrder.LITTLE_ENDIAN).iface(1, -1)
        .enhanced(0, 1, FRAME_B, FRAME_B.length).bytes();
    Path truncated = write("trunc.pcapng", java.util.Arrays.copyOf(good, good.length - 6));
    assertThrows(IOException.class, () -> readAllChecked(truncated));
    byte[] badTrailer = good.clone();
    badTrailer[badTrailer.length - 4] ^= 0x10;
    Path bad = write("trailer.pcapng", badTrailer);
    IOException e = assertThrows(IOException.class, () -> readAllChecked(bad));
    assertTrue(e.getMessage().contains("trailing length"), e.getMessage());
    Path undeclared = write("noif.pcapng", new PcapngWriter().section(ByteOrder.LITTLE_ENDIAN)
        .enhanced(3, 1, FRAME_A, 5).bytes());
    assertThrows(IOException.class, () -> readAllChecked(undeclared));
  }

  @Test
  void iteratorWrapsErrorsAndNonCapturesAreRefused() throws IOException {
    Path notCapture = write("text.pcap", "hello, world".getBytes());
    IOException e = assertThrows(IOException.class, () -> CaptureReader.open(notCapture));
    assertTrue(e.getMessage().contains("not a pcap or pcapng file"));
    byte[] good = new PcapngWriter().section(ByteOrder.LITTLE_ENDIAN).iface(1, -1)
        .enhanced(0, 1, FRAME_B, FRAME_B.length).bytes();
    Path truncated = write("t.pcapng", java.util.Arrays.copyOf(good, good.length - 2));
    try (CaptureReader reader = CaptureReader.open(truncated)) {
      assertThrows(UncheckedIOException.class, () -> reader.iterator().hasNext());
    }
  }

  private static void readAllChecked(Path path) throws IOException {
    try (CaptureReader reader = CaptureReader.open(path)) {
      while (reader.readNext() != null) {
        // drain
      }
    }
  }

  private static ByteBuffer classicHeader(ByteOrder order) {
    ByteBuffer b = ByteBuffer.allocate(64).order(order);
    b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
    return b;
  }

  /** Rewrites a little-endian classic pcap in big-endian order: the file header and each record header. */
  private static byte[] byteSwapClassicPcap(byte[] in) {
    ByteBuffer src = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer dst = ByteBuffer.allocate(in.length).order(ByteOrder.BIG_ENDIAN);
    dst.putInt(src.getInt()).putShort(src.getShort()).putShort(src.getShort());
    for (int i = 0; i < 4; i++) {
      dst.putInt(src.getInt());
    }
    while (src.remaining() >= 16) {
      int sec = src.getInt();
      int usec = src.getInt();
      int caplen = src.getInt();
      int len = src.getInt();
      dst.putInt(sec).putInt(usec).putInt(caplen).putInt(len);
      byte[] data = new byte[caplen];
      src.get(data);
      dst.put(data);
    }
    return dst.array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return p;
  }
}
