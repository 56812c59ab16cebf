package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.decode.flow.ipfix.PendingDataSets;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A million datagrams mutated from the fixtures (seeded, so a failure reproduces): no exception
 * escapes, no decode call allocates more than its datagram can justify, and no call emits more
 * records than its bytes (plus the bounded data held for templates) can hold.
 */
class FuzzTest {
  private static final long SEED = 0x51_1C3L;
  private static final int MUTATIONS = 1_000_000;
  /** Fixed per-call allowance (template arrays, pending entries, boxed map keys) plus a factor per byte. */
  private static final long ALLOCATION_BASE = 64 * 1024;
  private static final long ALLOCATION_PER_BYTE = 40;

  @Test
  void mutatedDatagramsNeverEscapeTheDecoder() {
    List<byte[]> seeds = new ArrayList<>();
    for (Path p : Fixtures.flowCaptures()) seeds.addAll(Fixtures.udpPayloads(p));
    assertTrue(seeds.size() > 100, "fixture datagrams");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    SplittableRandom random = new SplittableRandom(SEED);
    FlowDecoder decoder = new FlowDecoder();
    DecodeCounters counters = new DecodeCounters();
    long[] emitted = new long[1];
    FlowSink sink = r -> emitted[0]++;
    byte[] exporter = new byte[16];
    ExporterState state = new ExporterState();
    byte[] buffer = new byte[70_000];
    for (int i = 0; i < MUTATIONS; i++) {
      if (i % 1000 == 0) state = new ExporterState();
      byte[] seed = seeds.get(random.nextInt(seeds.size()));
      int len = mutate(seed, buffer, random);
      emitted[0] = 0;
      long before = threads.getThreadAllocatedBytes(thread);
      try {
        decoder.decode(buffer, 0, len, exporter, i * 1_000_000L, state, sink, counters);
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("mutation " + i + " (seed " + SEED + "): " + Arrays.toString(Arrays.copyOf(buffer, len)), e);
      }
      long allocated = threads.getThreadAllocatedBytes(thread) - before;
      if (allocated > ALLOCATION_BASE + ALLOCATION_PER_BYTE * len) {
        fail("mutation " + i + " allocated " + allocated + " bytes for a " + len + "-byte datagram");
      }
      if (emitted[0] > len + PendingDataSets.MAX_BYTES) fail("mutation " + i + " emitted " + emitted[0] + " records");
    }
    assertTrue(counters.totalProblems() > 0, "mutations produce decode problems");
  }

  /** Copies the seed into the buffer with a few mutations; returns the new length. */
  private static int mutate(byte[] seed, byte[] out, SplittableRandom random) {
    int len = seed.length;
    System.arraycopy(seed, 0, out, 0, len);
    int edits = 1 + random.nextInt(8);
    for (int e = 0; e < edits && len > 0; e++) {
      int at = random.nextInt(len);
      switch (random.nextInt(7)) {
        case 0: out[at] ^= (byte) (1 << random.nextInt(8)); break;
        case 1: out[at] = (byte) random.nextInt(256); break;
        case 2: out[at] = 0; break;
        case 3: out[at] = (byte) 0xFF; break;
        case 4: len = at; break; // truncate
        case 5: { // a length-like 16-bit value
          if (at + 1 < len) {
            int v = random.nextBoolean() ? random.nextInt(16) : 0xFFFF - random.nextInt(16);
            out[at] = (byte) (v >>> 8);
            out[at + 1] = (byte) v;
          }
          break;
        }
        default: { // duplicate a block further on
          int n = Math.min(random.nextInt(64), Math.min(len - at, out.length - len));
          System.arraycopy(out, at, out, len, n);
          len += n;
        }
      }
    }
    return len;
  }
}
