package io.sluice.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.RecordKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's datagrams are valid IPFIX: Sluice's decoder reads every record with no problem. */
class IpfixGeneratorTest {
  @Test
  void everyRecordDecodesAndTheSequenceCountsRecords() {
    IpfixGenerator generator = new IpfixGenerator(7, 1);
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState();
    DecodeCounters counters = new DecodeCounters();
    List<Long> bytes = new ArrayList<>();
    ByteBuffer buf = ByteBuffer.allocate(1500);
    for (int i = 0; i < 250; i++) {
      int length = generator.next(buf, 1_700_000_000_000L + i);
      assertTrue(length <= 1472, "fits one UDP datagram on a 1500-byte MTU: " + length);
      decoder.decode(buf.array(), 0, length, new byte[16], (1_700_000_000_000L + i) * 1_000_000L, state,
          (FlowRecord r) -> bytes.add(r.sampledBytes), counters);
    }
    assertEquals(0, counters.totalProblems(), counters.problems().toString());
    assertEquals(250 * IpfixGenerator.RECORDS_PER_DATAGRAM, bytes.size());
    assertEquals(3, counters.records(RecordKind.TEMPLATE), "the template is resent every 100 datagrams");
    assertEquals(0, state.sequenceTrackers().get(0).lost());
    assertTrue(bytes.stream().allMatch(b -> b >= 64));
  }
}
