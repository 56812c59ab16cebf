package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The eBPF loader skips TCP segments without payload, SYN, FIN or RST by default (ebpf-loader/README.md). On every
 * real L7 capture, the rows and every counter but the frame count are the same with those segments removed.
 */
class PureAckIndependenceTest {
  static Stream<Path> captures() throws Exception {
    return Fixtures.l7Captures().stream();
  }

  /** The loader's rule (sluice.bpf.c pure_ack), on the same parsed header. */
  static boolean pureAck(PacketHeader h) {
    return h.layer >= 4 && h.protocol == PacketParser.PROTO_TCP && !h.isFragment() && (h.tcpFlags & 0x07) == 0
        && h.payloadLength == 0;
  }

  record Result(List<String> rows, Map<String, Long> counts, int skipped) {}

  static Result replay(Path capture, boolean skipPureAcks) throws Exception {
    CollectingSink sink = new CollectingSink();
    L7Engine engine = new L7Engine(L7Config.defaults(), sink);
    PacketHeader h = new PacketHeader();
    int skipped = 0;
    try (CaptureReader reader = CaptureReader.open(capture)) {
      long watermark = Long.MIN_VALUE;
      for (CaptureFrame f = reader.readNext(); f != null; f = reader.readNext()) {
        if (skipPureAcks && PacketParser.parse(f.linkType(), f.data(), 0, f.capturedLength(), h) && pureAck(h)) {
          skipped++;
        } else {
          engine.onFrame(f.timestampNs(), f.linkType(), f.data(), f.capturedLength());
        }
        watermark = Math.max(watermark, f.timestampNs() - L7Config.OUT_OF_ORDERNESS_NS);
        engine.advanceWatermark(watermark);
      }
    }
    engine.finish();
    List<String> rows = new ArrayList<>();
    sink.dns.forEach(r -> rows.add(render(r)));
    sink.http.forEach(r -> rows.add(render(r)));
    Map<String, Long> counts = new java.util.LinkedHashMap<>(engine.summary().counts());
    counts.remove("frames");
    return new Result(rows, counts, skipped);
  }

  /** A row's components, arrays by content. */
  static String render(Record r) {
    StringBuilder b = new StringBuilder(r.getClass().getSimpleName()).append('[');
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      try {
        Object v = c.getAccessor().invoke(r);
        b.append(c.getName()).append('=').append(v instanceof byte[] a ? Arrays.toString(a) : String.valueOf(v)).append(", ");
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return b.append(']').toString();
  }

  @ParameterizedTest
  @MethodSource("captures")
  void sameRowsWithoutPureAcks(Path capture) throws Exception {
    Result all = replay(capture, false);
    Result without = replay(capture, true);
    assertEquals(all.rows, without.rows, capture + ": rows");
    assertEquals(all.counts, without.counts, capture + ": counters");
    if (capture.toString().contains("http")) {
      assertTrue(without.skipped > 0, capture + " has pure ACKs to skip");
      assertTrue(!all.rows.isEmpty(), capture + " has rows");
    }
  }
}
