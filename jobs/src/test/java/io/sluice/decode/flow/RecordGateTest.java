package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 21: exporter times that cannot be right, and records that say nothing. */
class RecordGateTest {
  private static final long RECEIVED_NS = 1_700_000_000_123_000_000L;
  private final FlowDecoder decoder = new FlowDecoder();
  private final byte[] exporter = new byte[16];

  /** A NetFlow v5 datagram with one record, its header at unixSecs, the flow ending at uptime 9,000 ms of 10,000. */
  private static byte[] netflowV5(long unixSecs) {
    ByteBuffer b = ByteBuffer.allocate(24 + 48);
    b.putShort((short) 5).putShort((short) 1).putInt(10_000).putInt((int) unixSecs).putInt(0).putInt(1).putInt(0);
    b.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2}).putInt(0).putShort((short) 1).putShort((short) 2);
    b.putInt(3).putInt(300).putInt(8_000).putInt(9_000).putShort((short) 1234).putShort((short) 80);
    b.put((byte) 0).put((byte) 0x10).put((byte) 6).put((byte) 0).putInt(0).putInt(0);
    return b.array();
  }

  private List<FlowRecord> decode(byte[] d, DecodeCounters counters) {
    List<FlowRecord> out = new ArrayList<>();
    decoder.decode(d, 0, d.length, exporter, RECEIVED_NS, new ExporterState(), r -> out.add(r.copy()), counters);
    return out;
  }

  @Test
  void aBelievableExporterTimeIsKept() {
    DecodeCounters counters = new DecodeCounters();
    List<FlowRecord> rows = decode(netflowV5(1_700_000_000L), counters);
    assertEquals(1, rows.size());
    assertEquals(1_699_999_999L, rows.get(0).time, "the flow end: 1 s before the export");
    assertEquals(0, counters.totalProblems());
  }

  @Test
  void unixSecsZeroIsCountedAtTheReceiveTime() {
    DecodeCounters counters = new DecodeCounters();
    List<FlowRecord> rows = decode(netflowV5(0), counters);
    assertEquals(1, rows.size());
    assertEquals(1_700_000_000L, rows.get(0).time);
    assertEquals(0, rows.get(0).flowEndMs, "a negative exporter time is not given");
    assertEquals(1, counters.problems(DecodeProblem.TIME_OUT_OF_RANGE));
  }

  @Test
  void exporterTimesInTheFarFutureAreCountedAtTheReceiveTime() {
    for (long unixSecs : new long[] {0xFFFF_FFFFL, 1_700_000_000L + 301 + 1, 1_700_000_000L - 3_601}) {
      DecodeCounters counters = new DecodeCounters();
      List<FlowRecord> rows = decode(netflowV5(unixSecs), counters);
      assertEquals(1_700_000_000L, rows.get(0).time, "unix_secs " + unixSecs);
      assertEquals(1, counters.problems(DecodeProblem.TIME_OUT_OF_RANGE));
    }
  }

  /**
   * The review's IPFIX datagram: a template of one 1-byte field (protocol) and a data set filling the datagram gave
   * one record per byte (64,968 rows). Records with no address and no counter are counted, not passed on.
   */
  @Test
  void aOneByteTemplateGivesCountedEmptyRecordsNotRows() {
    int dataBytes = 65_000;
    byte[] d = io.sluice.testing.HostileInputs.ipfixOneByteTemplate(dataBytes);
    DecodeCounters counters = new DecodeCounters();
    List<FlowRecord> rows = decode(d, counters);
    assertEquals(0, rows.size());
    assertEquals(dataBytes, counters.problems(DecodeProblem.EMPTY_RECORD));
  }
}
