package io.sluice.ebpf;

import static io.sluice.ebpf.Http2WalkStartTest.CLIENT_ISN;
import static io.sluice.ebpf.Http2WalkStartTest.PORT;
import static io.sluice.ebpf.Http2WalkStartTest.SERVER_ISN;
import static io.sluice.ebpf.Http2WalkStartTest.SETTINGS;
import static io.sluice.ebpf.Http2WalkStartTest.SNAP;
import static io.sluice.ebpf.Http2WalkStartTest.frame;
import static io.sluice.ebpf.Http2WalkStartTest.server;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.wire.CapturedPacket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Server segments that reach the capture after a gap (h2.h, "Segments held for their turn"): a segment lost on the way
 * and sent again, one reordered, or one walked on another CPU at the same moment all look the same from the capture,
 * a later segment before an earlier one. Crafted segments replayed in a fixed order out of the client's veth (as in
 * Http2WalkStartTest), the loader at a 32-byte snap:
 * <ul>
 *   <li>a response in three segments shown second, third, first: the second and third are held, and walked when the
 *   first is, so every frame header and HEADERS block of the three is kept, and only the DATA payloads past the snap
 *   are left out (the walk in order keeps the same bytes);</li>
 *   <li>a segment more than 256 KiB ahead of the walk, after bytes with a frame header the capture never shows: not
 *   held (a gap that stays open would hold every later segment), the walk is lost as before and it goes by the
 *   snap.</li>
 * </ul>
 */
class Http2HeldSegmentTest {
  static final int HEADERS = 14 + 40 + 20;  // Ethernet, IPv6, TCP
  static final int BLOCK = 200;
  static final int BODY = 300;

  @Test
  void segmentsAfterAGapAreWalkedWhenTheWalkGetsThere() throws Exception {
    Http2WalkStartTest.assumeReplayable();
    // stream 1: HEADERS, DATA of BODY; stream 3 the same; stream 5: HEADERS only
    byte[] response = concat(frame(1, 4, 1, new byte[BLOCK]), frame(0, 0, 1, new byte[BODY]),
        frame(1, 4, 3, new byte[BLOCK]), frame(0, 0, 3, new byte[BODY]), frame(1, 4, 5, new byte[BLOCK]));
    int cut1 = 9 + BLOCK + 9 + 100;                  // in the middle of stream 1's DATA
    int cut2 = cut1 + (BODY - 100) + 9 + BLOCK + 9 + BODY;  // before stream 5's HEADERS
    int reordered = 40041;
    int farAhead = 40042;
    long data = SERVER_ISN + 1 + SETTINGS.length;
    List<byte[]> frames = new ArrayList<>();
    frames.addAll(openingOf(reordered));
    frames.add(server(reordered, data + cut1, CLIENT_ISN + 1, slice(response, cut1, cut2)));
    frames.add(server(reordered, data + cut2, CLIENT_ISN + 1, slice(response, cut2, response.length)));
    frames.add(server(reordered, data, CLIENT_ISN + 1, slice(response, 0, cut1)));
    frames.addAll(openingOf(farAhead));
    frames.add(server(farAhead, data + 300_000, CLIENT_ISN + 1, slice(response, 0, cut1)));

    Http2WalkStartTest.Replayed replayed = Http2WalkStartTest.replay(frames);
    Map<Integer, BitSet> kept = new TreeMap<>();
    for (CapturedPacket p : replayed.packets()) {
      ByteBuffer b = ByteBuffer.wrap(p.getData().toByteArray());
      int sport = b.getShort(14 + 40) & 0xffff;
      int dport = b.getShort(14 + 40 + 2) & 0xffff;
      long at = (b.getInt(14 + 40 + 4) & 0xffffffffL) - data;
      if (sport == PORT && at >= 0) {
        BitSet k = kept.computeIfAbsent(dport, d -> new BitSet());
        k.set((int) at, (int) at + b.capacity() - HEADERS);
      }
    }

    BitSet inOrder = new BitSet();  // what a walk over the three in order keeps: frame headers, HEADERS blocks, snaps
    inOrder.set(0, 9 + BLOCK + 9);
    inOrder.set(cut1, cut1 + SNAP);
    int h3 = cut1 + BODY - 100;
    inOrder.set(h3, h3 + 9 + BLOCK + 9);
    inOrder.set(cut2, response.length);
    long[] counters = replayed.counters();
    assertEquals(ranges(inOrder), ranges(kept.get(reordered)), "bytes kept of the response shown out of order");
    assertEquals(1, counters[7], "one walk lost: the far-ahead connection's");
    assertEquals(1, counters[10], "for a gap holding a frame header");
    assertEquals(2, counters[13], "two segments held: the reordered connection's second and third");
    assertEquals(0, counters[14], "none expired");
    BitSet snapOnly = new BitSet();
    snapOnly.set(300_000, 300_000 + SNAP);
    assertEquals(ranges(snapOnly), ranges(kept.get(farAhead)), "the far-ahead segment by the snap");
    assertEquals(0, counters[2], "no ring-buffer drop");
  }

  /** The server's SETTINGS, then the client's preface acknowledging it (Http2WalkStartTest's, without the response). */
  private static List<byte[]> openingOf(int clientPort) throws Exception {
    return Http2WalkStartTest.connection(clientPort, true, true).subList(0, 2);
  }

  /** The set's runs as [from, to) ranges. */
  private static String ranges(BitSet set) {
    if (set == null) {
      return "nothing";
    }
    StringBuilder out = new StringBuilder();
    for (int from = set.nextSetBit(0); from >= 0; from = set.nextSetBit(set.nextClearBit(from))) {
      out.append('[').append(from).append(", ").append(set.nextClearBit(from)).append(") ");
    }
    return out.toString().trim();
  }

  private static byte[] concat(byte[]... parts) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p);
    }
    return out.toByteArray();
  }

  private static byte[] slice(byte[] b, int from, int to) {
    return Arrays.copyOfRange(b, from, to);
  }
}
