package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Mutated real frames through the whole engine: seeded and reproducible, bounded in time. Nothing may throw,
 * and state must stay within the configured bounds.
 */
class L7FuzzTest {
  private static final long SEED = 0x51_1CE_2024L;
  private static final long BUDGET_NS = 8_000_000_000L;

  @Test
  void mutatedFixtureFramesNeverThrowAndStayBounded() throws IOException {
    List<CaptureFrame> frames = new ArrayList<>();
    for (Path capture : Fixtures.l7Captures()) {
      try (CaptureReader reader = CaptureReader.open(capture)) {
        reader.forEach(frames::add);
      }
    }
    Random random = new Random(SEED);
    long memoryLimit = 2L << 20;
    L7Config tight = new L7Config(1_000_000_000L, 2_000_000_000L, 5_000_000_000L, 1_000_000_000L, 500, 1_000, 64,
        memoryLimit, Set.of(53), Set.of(80));
    CollectingSink sink = new CollectingSink();
    L7Engine engine = new L7Engine(tight, sink);
    long deadline = System.nanoTime() + BUDGET_NS;
    long ts = 1_000_000_000L;
    int fed = 0;
    while (System.nanoTime() < deadline && fed < 3_000_000) {
      CaptureFrame f = frames.get(random.nextInt(frames.size()));
      byte[] data = mutate(f.data(), random);
      ts += random.nextInt(2_000_000);
      engine.onFrame(ts, f.linkType(), data, data.length);
      engine.advanceWatermark(ts);
      fed++;
      if ((fed & 1023) == 0) {
        assertTrue(engine.budget().used() <= memoryLimit, "budget " + engine.budget().used());
        assertTrue(engine.connectionCount() <= tight.maxConnections());
        sink.dns.clear();
        sink.http.clear();
      }
    }
    engine.finish();
    assertTrue(engine.connectionCount() == 0);
    System.out.printf("fuzz: %d mutated frames, problems %s%n", fed, engine.summary().problems.nonZero());
  }

  private static byte[] mutate(byte[] original, Random r) {
    byte[] d = original.clone();
    switch (r.nextInt(5)) {
      case 0 -> { } // unchanged: keeps real conversations going so deep states are reached
      case 1 -> {
        for (int i = 1 + r.nextInt(4); i > 0 && d.length > 0; i--) {
          d[r.nextInt(d.length)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 2 -> {
        for (int i = 1 + r.nextInt(8); i > 0 && d.length > 0; i--) {
          d[r.nextInt(d.length)] = (byte) r.nextInt(256);
        }
      }
      case 3 -> d = java.util.Arrays.copyOf(d, d.length == 0 ? 0 : r.nextInt(d.length));
      default -> {
        // Payload bytes only (after a typical Ethernet+IP+TCP/UDP header), where the L7 parsers live.
        for (int i = 1 + r.nextInt(16); i > 0 && d.length > 60; i--) {
          d[42 + r.nextInt(d.length - 42)] = (byte) r.nextInt(256);
        }
      }
    }
    return d;
  }
}
