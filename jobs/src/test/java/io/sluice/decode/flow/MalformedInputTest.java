package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MalformedInputTest {
  private final FlowDecoder decoder = new FlowDecoder();
  private final byte[] exporter = new byte[16];

  @Test
  void theMalformedFixtureIsCountedNotThrown() {
    Fixtures.Decoded d = Fixtures.decode(Fixtures.flow("logstash-codec-netflow/malformed_nfv5_nfv9_invalid.pcap"), 0);
    DecodeCounters c = d.decoder.counters();
    // Both v5 headers announce more records than their datagrams hold (55582 and 163).
    assertEquals(2, c.problems(DecodeProblem.TRUNCATED_RECORDS));
  }

  @Test
  void everyTruncationOfEveryFixtureDatagramIsSafe() {
    DecodeCounters counters = new DecodeCounters();
    long datagrams = 0;
    for (Path p : Fixtures.flowCaptures()) {
      for (byte[] d : Fixtures.udpPayloads(p)) {
        FlowType type = FlowDecoder.recognise(d, 0, d.length);
        if (type == null) continue;
        for (int len = 0; len < d.length; len++) {
          DecodeCounters one = new DecodeCounters();
          decoder.decode(d, 0, len, exporter, 0, new ExporterState(), r -> {}, one);
          counters.add(one);
        }
        datagrams++;
      }
    }
    assertTrue(datagrams > 100);
    assertTrue(counters.problems(DecodeProblem.TRUNCATED_HEADER) > 0);
    assertTrue(counters.problems(DecodeProblem.TRUNCATED_SAMPLE) > 0);
    assertTrue(counters.problems(DecodeProblem.BAD_SET) > 0);
  }

  @Test
  void aNetflowDatagramOnTheSflowPortIsAProblem() {
    List<byte[]> v5 = Fixtures.udpPayloads(Fixtures.flow("akvorado/netflow/nfv5.pcap"));
    DecodeCounters counters = new DecodeCounters();
    int[] flows = new int[1];
    FlowType t = decoder.decode(v5.get(0), 0, v5.get(0).length, exporter, 0, new ExporterState(), r -> flows[0]++, counters, FlowType.SFLOW5);
    assertNull(t);
    assertEquals(0, flows[0]);
    assertEquals(1, counters.problems(DecodeProblem.UNEXPECTED_PROTOCOL));
  }

  @Test
  void notAFlowDatagram() {
    DecodeCounters counters = new DecodeCounters();
    byte[] dns = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0};
    assertNull(decoder.decode(dns, 0, dns.length, exporter, 0, new ExporterState(), r -> {}, counters));
    assertNull(decoder.decode(null, 0, 0, exporter, 0, new ExporterState(), r -> {}, counters));
    assertNull(decoder.decode(dns, 4, 100, exporter, 0, new ExporterState(), r -> {}, counters));
    assertEquals(3, counters.problems(DecodeProblem.NOT_A_FLOW_DATAGRAM));
    byte[] v7 = Arrays.copyOf(new byte[] {0, 7}, 24);
    decoder.decode(v7, 0, v7.length, exporter, 0, new ExporterState(), r -> {}, counters);
    assertEquals(1, counters.problems(DecodeProblem.UNSUPPORTED_VERSION));
  }
}
