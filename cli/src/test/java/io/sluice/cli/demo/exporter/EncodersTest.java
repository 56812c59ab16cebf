package io.sluice.cli.demo.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The encoders' framing, read back byte by byte against the RFCs (tshark and Sluice decode them in DemoExporterTest). */
class EncodersTest {
  private static final long NOW = 1_796_554_000_000L;
  private static final byte[] EXPORTER = {127, 0, 0, 21};

  private static List<DemoFlow> flows(int n) {
    TrafficModel model = new TrafficModel(3, Site.edgeRouter(), 600_000);
    return java.util.stream.IntStream.range(0, n).mapToObj(i -> model.next(NOW, 100)).toList();
  }

  /** The set ids of a message, in order, and where each set starts. */
  private static java.util.LinkedHashMap<Integer, Integer> sets(byte[] d, int headerLength) {
    java.util.LinkedHashMap<Integer, Integer> sets = new java.util.LinkedHashMap<>();
    ByteBuffer b = ByteBuffer.wrap(d);
    for (int p = headerLength; p < d.length; p += b.getShort(p + 2) & 0xFFFF) {
      sets.putIfAbsent(b.getShort(p) & 0xFFFF, p);
    }
    return sets;
  }

  @Test
  void netflowV9SendsOptionsThenTemplatesFirstThenOnlyDataUntilTheRefresh() {
    TemplateEncoder encoder = TemplateEncoder.netflowV9(EXPORTER, 7, 100, Site.edgeRouter(), NOW - 3_600_000);
    List<byte[]> first = encoder.encode(flows(40), NOW);
    assertEquals(List.of(1, 258, 259, 260, 0), List.copyOf(sets(first.get(0), 20).keySet()),
        "options templates, their data, then the data templates: held data decodes with its rate known");
    int records = 0;
    for (byte[] d : first) {
      ByteBuffer b = ByteBuffer.wrap(d);
      assertEquals(9, b.getShort(0));
      assertEquals(3_600_000, b.getInt(4), "sysUptime: booted an hour ago");
      assertEquals(7, b.getInt(16), "source id");
      assertTrue(d.length <= 1400);
      for (int p = 20; p < d.length; p += b.getShort(p + 2) & 0xFFFF) {
        assertEquals(0, (b.getShort(p + 2) & 0xFFFF) % 4, "flowsets are padded to 32 bits");
      }
      records += b.getShort(2);
    }
    assertEquals(2 + 3 + 1 + 6 + 4 + 40, records, "count: 2 templates, 3 options templates, 11 options records, 40 flows");
    List<byte[]> next = encoder.encode(flows(3), NOW + 1000);
    assertEquals(1, next.size());
    assertTrue(ByteBuffer.wrap(next.get(0)).getShort(20) >= 256, "only data until the refresh");
    assertEquals(1, ByteBuffer.wrap(encoder.encode(flows(1), NOW + TemplateEncoder.REFRESH_MS).get(0)).getShort(20));
  }

  @Test
  void ipfixCountsDataRecordsInItsSequenceAndSendsNamesAsVariableLengthStrings() {
    TemplateEncoder encoder = TemplateEncoder.ipfix(EXPORTER, 9, 1000, Site.edgeRouter(), NOW);
    List<byte[]> first = encoder.encode(flows(5), NOW);
    byte[] d = first.get(0);
    ByteBuffer m = ByteBuffer.wrap(d);
    assertEquals(10, m.getShort(0));
    assertEquals(d.length, m.getShort(2), "message length");
    assertEquals(9, m.getInt(12), "observation domain");
    var sets = sets(d, 16);
    assertEquals(List.of(3, 258, 259, 260, 2), List.copyOf(sets.keySet()).subList(0, 5));
    int sampling = sets.get(TemplateEncoder.SAMPLING_TEMPLATE) + 4; // domain, packet interval 1, packet space 999
    assertEquals(9, m.getInt(sampling));
    assertEquals(1, m.getInt(sampling + 4));
    assertEquals(999, m.getInt(sampling + 8));
    int names = sets.get(TemplateEncoder.INTERFACE_TEMPLATE) + 4; // ifIndex, then "Gi0/0/0" with a one-byte length
    assertEquals(1, m.getInt(names));
    assertEquals(7, m.get(names + 4));
    assertEquals("Gi0/0/0", new String(d, names + 5, 7, java.nio.charset.StandardCharsets.US_ASCII));
    long afterFirst = ByteBuffer.wrap(first.get(first.size() - 1)).getInt(8);
    assertEquals(0, m.getInt(8), "the first message starts at 0");
    long after = ByteBuffer.wrap(encoder.encode(flows(2), NOW + 200).get(0)).getInt(8);
    assertEquals(1 + 6 + 4 + 5, after, "options data records count as data records (RFC 7011 section 3.1)");
    assertTrue(afterFirst <= after);
  }

  @Test
  void sflowSamplesCarryTheRateAPoolAndCountersThatGrowWithTheSampledTraffic() {
    SflowEncoder encoder = new SflowEncoder(new byte[] {127, 0, 0, 11}, 0, 1024, Site.edgeRouter(), NOW - 1000);
    List<byte[]> d = encoder.encode(flows(3), NOW);
    ByteBuffer b = ByteBuffer.wrap(d.get(0));
    assertEquals(5, b.getInt(0));
    assertEquals(1, b.getInt(4), "IPv4 agent");
    assertEquals(1000, b.getInt(20), "uptime");
    assertEquals(3 + 6, d.stream().mapToInt(x -> ByteBuffer.wrap(x).getInt(24)).sum(), "three flow samples, six counter samples");
    assertTrue(d.stream().allMatch(x -> x.length <= 1400));
    assertEquals(1, b.getInt(28), "a flow sample");
    assertEquals(1024, b.getInt(44), "sampling rate");
    assertEquals(1024, b.getInt(48), "sample pool");
    assertEquals(1, encoder.encode(flows(1), NOW + 200).size());
    assertEquals(1, ByteBuffer.wrap(encoder.encode(flows(1), NOW + 200).get(0)).getInt(24), "counters only every 20 s");
  }
}
