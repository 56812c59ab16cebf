package io.sluice.ingest.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the tests' pcap writer makes reads back through CaptureReader frame for frame. */
class ClassicPcapWriterTest {
  @Test
  void readsBackEveryFrameWithItsTime(@TempDir Path dir) throws Exception {
    List<byte[]> frames = List.of(new byte[] {1, 2, 3}, new byte[60], new byte[] {(byte) 0xff});
    Path file = dir.resolve("w.pcap");
    Files.write(file, ClassicPcapWriter.ethernet(frames, 1_700_000_000L, 700_000));
    List<CaptureFrame> read = new ArrayList<>();
    try (CaptureReader r = CaptureReader.open(file)) {
      r.forEach(read::add);
    }
    assertEquals(frames.size(), read.size());
    for (int i = 0; i < frames.size(); i++) {
      CaptureFrame f = read.get(i);
      assertArrayEquals(frames.get(i), f.data());
      assertEquals(frames.get(i).length, f.originalLength());
      assertEquals(LinkTypes.ETHERNET, f.linkType());
      assertEquals(1_700_000_000_000_000_000L + i * 700_000_000L, f.timestampNs(), "frame " + i);
    }
  }
}
