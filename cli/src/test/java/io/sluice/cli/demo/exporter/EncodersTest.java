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

  @Test
  void netflowV9SendsTemplatesAndOptionsFirstThenOnlyDataUntilTheRefresh() {
    TemplateEncoder encoder = TemplateEncoder.netflowV9(EXPORTER, 7, 100, Site.edgeRouter(), NOW - 3_600_000);
    List<byte[]> first = encoder.encode(flows(40), NOW);
    assertEquals(0, ByteBuffer.wrap(first.get(0)).getShort(20), "first a template flowset (id 0)");
    ByteBuffer t = ByteBuffer.wrap(first.get(0));
    assertEquals(1, t.getShort(20 + t.getShort(22)), "then the options template flowset (id 1)");
    assertEquals(TemplateEncoder.SAMPLING_TEMPLATE, ByteBuffer.wrap(first.get(1)).getShort(20), "then the options data");
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
    assertEquals(0, ByteBuffer.wrap(encoder.encode(flows(1), NOW + TemplateEncoder.REFRESH_MS).get(0)).getShort(20));
  }

  @Test
  void ipfixCountsDataRecordsInItsSequenceAndSendsNamesAsVariableLengthStrings() {
    TemplateEncoder encoder = TemplateEncoder.ipfix(EXPORTER, 9, 1000, Site.edgeRouter(), NOW);
    List<byte[]> first = encoder.encode(flows(5), NOW);
    ByteBuffer options = ByteBuffer.wrap(first.get(1));
    assertEquals(10, options.getShort(0));
    assertEquals(first.get(1).length, options.getShort(2), "message length");
    assertEquals(9, options.getInt(12), "observation domain");
    // sampling set: domain, packet interval 1, packet space 999
    assertEquals(TemplateEncoder.SAMPLING_TEMPLATE, options.getShort(16));
    assertEquals(9, options.getInt(20));
    assertEquals(1, options.getInt(24));
    assertEquals(999, options.getInt(28));
    // interface names: ifIndex, then "Gi0/0/0" with a one-byte length
    assertEquals(TemplateEncoder.INTERFACE_TEMPLATE, options.getShort(32));
    assertEquals(1, options.getInt(36));
    assertEquals(7, options.get(40));
    assertEquals("Gi0/0/0", new String(first.get(1), 41, 7, java.nio.charset.StandardCharsets.US_ASCII));
    long sequenceAfterOptions = ByteBuffer.wrap(first.get(2)).getInt(8);
    assertEquals(1 + 6 + 4, sequenceAfterOptions, "options data records count as data records (RFC 7011 section 3.1)");
    long after = ByteBuffer.wrap(encoder.encode(flows(2), NOW + 200).get(0)).getInt(8);
    assertEquals(sequenceAfterOptions + 5, after);
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
