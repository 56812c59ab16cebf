package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The state survives a byte[] round trip between any two datagrams, as a Flink restart would do. */
class ExporterStateTest {
  private final byte[] exporter = new byte[16];

  @ParameterizedTest
  @ValueSource(strings = {
    "akvorado/netflow/samplingrate.pcap",
    "akvorado/netflow/multiplesamplingrates.pcap",
    "akvorado/netflow/cisco-options-then-data.pcap",
    "logstash-codec-netflow/ipfix_vmware_vds.pcap",
    "pktvisor/ipfix.pcap",
    "akvorado/netflow/data+templates.pcap",
  })
  void restoringBetweenDatagramsChangesNothing(String fixture) {
    List<byte[]> datagrams = Fixtures.udpPayloads(Fixtures.flow(fixture));
    List<String> straight = decode(datagrams, false);
    List<String> restored = decode(datagrams, true);
    assertTrue(straight.size() > 0);
    assertEquals(straight, restored);
  }

  private List<String> decode(List<byte[]> datagrams, boolean restoreEachTime) {
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState().configuredDefaultRate(7);
    List<String> out = new ArrayList<>();
    FlowSink sink = r -> out.add(describe(r));
    long t = 0;
    for (byte[] d : datagrams) {
      if (restoreEachTime) state = ExporterState.fromBytes(state.toBytes());
      decoder.decode(d, 0, d.length, exporter, t += 1_000_000, state, sink, new DecodeCounters());
    }
    for (SequenceTracker s : state.sequenceTrackers()) out.add("seq " + s.lost() + " " + s.reorders() + " " + s.restarts());
    return out;
  }

  private static String describe(FlowRecord r) {
    return java.util.Arrays.toString(r.srcAddr) + java.util.Arrays.toString(r.dstAddr) + " " + r.srcPort + " " + r.dstPort
        + " " + r.sampledBytes + " " + r.samplingRate + " " + r.samplingRateSource + " " + r.flowEndMs;
  }

  @Test
  void pendingDataSurvivesARestart() {
    List<byte[]> datagrams = Fixtures.udpPayloads(Fixtures.flow("akvorado/netflow/samplingrate.pcap"));
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState();
    List<FlowRecord> flows = new ArrayList<>();
    // Data first (frame 2), then a restart, then its template (frame 1).
    decoder.decode(datagrams.get(1), 0, datagrams.get(1).length, exporter, 0, state, r -> flows.add(r.copy()), new DecodeCounters());
    assertEquals(0, flows.size());
    assertEquals(1, state.pending().size());
    state = ExporterState.fromBytes(state.toBytes());
    decoder.decode(datagrams.get(0), 0, datagrams.get(0).length, exporter, 1, state, r -> flows.add(r.copy()), new DecodeCounters());
    assertEquals(6, flows.size(), "the oracle counts 6 data records");
    assertEquals(0, state.pending().size());
  }

  @Test
  void pendingDataExpires() {
    List<byte[]> datagrams = Fixtures.udpPayloads(Fixtures.flow("akvorado/netflow/samplingrate.pcap"));
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState();
    DecodeCounters counters = new DecodeCounters();
    decoder.decode(datagrams.get(1), 0, datagrams.get(1).length, exporter, 0, state, r -> {}, counters);
    long later = io.sluice.decode.flow.ipfix.PendingDataSets.MAX_AGE_NS + 1;
    decoder.decode(datagrams.get(0), 0, datagrams.get(0).length, exporter, later, state, r -> {}, counters);
    assertEquals(1, counters.problems(DecodeProblem.NO_TEMPLATE_DROPPED));
  }

  @Test
  void corruptStateIsRejected() {
    byte[] good = new ExporterState().toBytes();
    assertThrows(IllegalArgumentException.class, () -> ExporterState.fromBytes(new byte[] {9}));
    assertThrows(IllegalArgumentException.class, () -> ExporterState.fromBytes(java.util.Arrays.copyOf(good, good.length - 1)));
    assertArrayEquals(good, ExporterState.fromBytes(good).toBytes());
  }

  @Test
  void overrideAndDefaultRates() {
    List<byte[]> v9 = Fixtures.udpPayloads(Fixtures.flow("akvorado/netflow/samplingrate.pcap"));
    List<FlowRecord> flows = new ArrayList<>();
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState().configuredOverrideRate(10);
    for (byte[] d : v9) decoder.decode(d, 0, d.length, exporter, 0, state, r -> flows.add(r.copy()), new DecodeCounters());
    assertEquals(SamplingRateSource.OVERRIDE, flows.get(0).samplingRateSource);
    assertEquals(flows.get(0).sampledBytes * 10, flows.get(0).estBytes);

    flows.clear();
    List<byte[]> v5 = Fixtures.udpPayloads(Fixtures.flow("akvorado/netflow/nfv5.pcap")); // no rate in its header
    decoder.decode(v5.get(0), 0, v5.get(0).length, exporter, 0, new ExporterState(), r -> flows.add(r.copy()), new DecodeCounters());
    assertEquals(SamplingRateSource.UNKNOWN, flows.get(0).samplingRateSource);
    assertEquals(0, flows.get(0).estBytes);
    flows.clear();
    decoder.decode(v5.get(0), 0, v5.get(0).length, exporter, 0, new ExporterState().configuredDefaultRate(100), r -> flows.add(r.copy()), new DecodeCounters());
    assertEquals(SamplingRateSource.CONFIGURED, flows.get(0).samplingRateSource);
    assertEquals(100, flows.get(0).samplingRate);
  }

  /** 1,024 templates of 100 fields (807 KB stored) do not all fit: the cache stops at its byte bound, and counts. */
  @Test
  void templatesAreBoundedByBytesAsWellAsCount() {
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState();
    DecodeCounters counters = new DecodeCounters();
    for (int m = 0; m < 8; m++) {
      byte[] d = io.sluice.testing.HostileInputs.ipfixTemplates(256 + 128 * m, 128, 100, 0);
      decoder.decode(d, 0, d.length, exporter, m, state, r -> {}, counters);
    }
    assertTrue(state.templates().bytes() <= io.sluice.decode.flow.ipfix.TemplateCache.MAX_BYTES);
    assertTrue(state.toBytes().length <= io.sluice.decode.flow.ipfix.TemplateCache.MAX_BYTES + 4_096,
        "stored state " + state.toBytes().length);
    assertEquals(1024 - state.templates().size(), counters.problems(DecodeProblem.TEMPLATE_LIMIT));
    ExporterState restored = ExporterState.fromBytes(state.toBytes());
    assertEquals(state.templates().size(), restored.templates().size());
  }

  /**
   * The version moves when templates, options data or pending sets change, and not when an exporter re-sends what it
   * sent before or sends data: the job stores the state only then.
   */
  @Test
  void theVersionMovesOnlyWhenMoreThanSequencesChange() {
    List<byte[]> datagrams = Fixtures.udpPayloads(Fixtures.flow("akvorado/netflow/cisco-options-then-data.pcap"));
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState();
    long t = 0;
    for (byte[] d : datagrams) {
      decoder.decode(d, 0, d.length, exporter, t += 1_000_000, state, r -> {}, new DecodeCounters());
    }
    long version = state.version();
    byte[] stored = state.toBytes();
    for (int round = 0; round < 3; round++) {
      for (byte[] d : datagrams) {
        decoder.decode(d, 0, d.length, exporter, t += 1_000_000, state, r -> {}, new DecodeCounters());
      }
    }
    assertEquals(version, state.version(), "the same templates, options and data again change nothing");
    ExporterState restored = ExporterState.fromBytes(stored);
    restored.readSequences(state.sequencesToBytes());
    assertArrayEquals(state.toBytes(), restored.toBytes(), "the stored state plus the trackers is the state");
    byte[] more = io.sluice.testing.HostileInputs.ipfixTemplates(40_000, 1, 3, 0);
    decoder.decode(more, 0, more.length, exporter, t + 1, state, r -> {}, new DecodeCounters());
    assertTrue(state.version() != version, "a new template is a change");
  }
}
