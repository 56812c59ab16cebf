package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every flow capture in the shared fixtures is decoded and compared with tshark's decode: record
 * count, addresses, ports, protocol, bytes, packets, interfaces, flow end time and sampling rate.
 */
class OracleAgreementTest {
  /** NetFlow versions outside this library's scope: tshark decodes them, we count them as unsupported. */
  private static final Map<String, Integer> UNSUPPORTED = Map.of("netflow_v1", 1, "netflow_v7", 7);

  static Stream<Path> captures() {
    return Fixtures.flowCaptures().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captures")
  void agreesWithTshark(Path capture) {
    Oracle oracle = new Oracle(capture);
    Fixtures.Decoded decoded = Fixtures.decode(capture, 0);
    DecodeCounters counters = decoded.decoder.counters();

    // Datagrams by protocol.
    JsonNode datagrams = oracle.summary.path("datagrams");
    long unsupported = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = datagrams.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      FlowType type = flowType(e.getKey());
      if (type == null) {
        assertTrue(UNSUPPORTED.containsKey(e.getKey()), "unexpected protocol in oracle: " + e.getKey());
        unsupported += e.getValue().asLong();
      } else {
        assertEquals(e.getValue().asLong(), counters.datagrams(type), "datagrams of " + type);
      }
    }
    assertEquals(unsupported, counters.problems(DecodeProblem.UNSUPPORTED_VERSION), "unsupported datagrams");

    List<JsonNode> expected = new ArrayList<>();
    for (JsonNode r : oracle.flows()) if (!UNSUPPORTED.containsKey(r.path("protocol").asText())) expected.add(r);
    long extra = TsharkGaps.recordsTsharkCannotDecode(capture, oracle);
    assertEquals(expected.size() + extra, decoded.flows.size(), "flow records (" + extra + " that tshark does not decode)");
    int firstOptions = oracle.firstRateOptionsFrame();
    int ours = 0;
    for (int i = 0; i < expected.size(); i++) {
      JsonNode o = expected.get(i);
      while (extra > 0 && !sameFlow(o, decoded.flows.get(ours))) {
        ours++;
        extra--;
      }
      compare(o, decoded.flows.get(ours++), firstOptions, capture.getFileName() + " record " + i);
    }
  }

  private static boolean sameFlow(JsonNode o, FlowRecord r) {
    byte[] src = Oracle.address(o.get("src_addr"));
    byte[] dst = Oracle.address(o.get("dst_addr"));
    return (src == null || java.util.Arrays.equals(src, r.srcAddr)) && (dst == null || java.util.Arrays.equals(dst, r.dstAddr))
        && o.path("src_port").asLong(r.srcPort) == r.srcPort;
  }

  private static FlowType flowType(String oracleProtocol) {
    switch (oracleProtocol) {
      case "netflow_v5": return FlowType.NETFLOW5;
      case "netflow_v9": return FlowType.NETFLOW9;
      case "ipfix": return FlowType.IPFIX;
      case "sflow": return FlowType.SFLOW5;
      default: return null;
    }
  }

  private static void compare(JsonNode o, FlowRecord r, int firstOptionsFrame, String what) {
    if (TsharkGaps.isMisreadPseudowire(o)) {
      TsharkGaps.assertPseudowireRecord(o, r, what);
      return;
    }
    boolean sflow = o.path("protocol").asText().equals("sflow");
    if (sflow && (r.protocol == 1 || r.protocol == 58)) {
      // The oracle puts ICMP type*256+code in dst_port, NetFlow's convention; for sFlow we decode the
      // packet and report icmp_type/icmp_code, with ports 0.
      assertEquals(o.path("dst_port").asLong(), r.icmpType * 256L + r.icmpCode, what + ": ICMP type/code");
      assertEquals(0, r.dstPort, what + ": no port for ICMP");
      ((com.fasterxml.jackson.databind.node.ObjectNode) o).remove("dst_port");
    }
    byte[] src = Oracle.address(o.get("src_addr"));
    if (src != null) assertArrayEquals(src, r.srcAddr, what + ": src_addr");
    byte[] dst = Oracle.address(o.get("dst_addr"));
    if (dst != null) assertArrayEquals(dst, r.dstAddr, what + ": dst_addr");
    equal(o.get("src_port"), r.srcPort, what + ": src_port");
    equal(o.get("dst_port"), r.dstPort, what + ": dst_port");
    equal(o.get("proto"), r.protocol, what + ": protocol");
    equal(o.get("in_if"), r.inIf, what + ": in_if");
    if (sflow) {
      compareSflowOutput(o, r, what);
      equal(o.get("frame_length"), r.sampledBytes, what + ": bytes (frame length)");
      assertEquals(1, r.sampledPackets, what + ": packets");
      equal(o.get("ip_len"), r.ipLength, what + ": ip length");
      long rate = o.path("sampling_rate").asLong();
      assertEquals(rate, r.samplingRate, what + ": sampling rate");
      assertEquals(SamplingRateSource.PACKET, r.samplingRateSource, what + ": rate source");
      equal(o.get("est_bytes"), r.estBytes, what + ": estimated bytes");
      equal(o.get("est_packets"), r.estPackets, what + ": estimated packets");
      return;
    }
    equal(o.get("out_if"), r.outIf, what + ": out_if");
    compareTunnel(o, r, what);
    Long bytes = Oracle.number(o.get("bytes"));
    assertEquals(bytes == null ? 0 : bytes, r.sampledBytes, what + ": bytes");
    Long packets = Oracle.number(o.get("packets"));
    assertEquals(packets == null ? 0 : packets, r.sampledPackets, what + ": packets");
    Long end = o.hasNonNull("end_epoch") ? Math.round(o.get("end_epoch").asDouble() * 1000) : null;
    if (end != null) {
      assertTrue(Math.abs(end - r.flowEndMs) <= 1000, what + ": flow end " + end + " vs " + r.flowEndMs);
      long received = Math.floorDiv(r.receivedNs, 1_000_000_000L);
      long endSecond = Math.floorDiv(r.flowEndMs, 1000);
      boolean believable = endSecond >= received - 3_600 && endSecond <= received + 300;
      assertEquals(believable ? endSecond : received, r.time,
          what + ": time is the flow end, or the receive time when the exporter's clock is off by more than the window");
    }
    Long rate = Oracle.number(o.get("sampling_rate"));
    if (rate == null) {
      assertEquals(SamplingRateSource.UNKNOWN, r.samplingRateSource, what + ": the oracle knows no rate");
      assertEquals(0, r.estBytes, what + ": no estimate without a rate");
    } else if (r.samplingRateSource == SamplingRateSource.UNKNOWN) {
      // The oracle looks options up across the whole file; a collector that saw the data first cannot.
      String rule = o.path("sampling_rule").asText();
      assertTrue(rule.startsWith("option") && o.path("frame").asInt() < firstOptionsFrame,
          what + ": rate " + rate + " (" + rule + ") unknown to us");
    } else {
      assertEquals(rate.longValue(), r.samplingRate, what + ": sampling rate");
      String rule = o.path("sampling_rule").asText();
      SamplingRateSource source = rule.startsWith("option") ? SamplingRateSource.OPTIONS : SamplingRateSource.PACKET;
      assertEquals(source, r.samplingRateSource, what + ": rate source for " + rule);
      assertEquals(r.sampledBytes * rate, r.estBytes, what + ": estimated bytes");
      assertEquals(r.sampledPackets * rate, r.estPackets, what + ": estimated packets");
    }
  }

  /**
   * The tunnel columns: tshark shows the outer header of an IPv4-in-IPv6 data link frame section (SRv6
   * in ipfix-srv6) as the ipv6.* fields next to the inner ip.* ones; every other NetFlow/IPFIX record of
   * the fixtures describes one header, so its tunnel columns must stay empty.
   */
  private static void compareTunnel(JsonNode o, FlowRecord r, String what) {
    JsonNode f = o.path("fields");
    if (f.has("ipv6.src") && f.has("ip.src") && f.path("ipv6.nxt").asText().equals("4")) {
      assertArrayEquals(Oracle.address(f.get("ipv6.src")), r.tunnelSrcAddr, what + ": tunnel_src_addr");
      assertArrayEquals(Oracle.address(f.get("ipv6.dst")), r.tunnelDstAddr, what + ": tunnel_dst_addr");
      assertEquals(4, r.tunnelProtocol, what + ": tunnel_protocol");
    } else {
      assertArrayEquals(new byte[16], r.tunnelSrcAddr, what + ": no tunnel_src_addr");
      assertArrayEquals(new byte[16], r.tunnelDstAddr, what + ": no tunnel_dst_addr");
      assertEquals(0, r.tunnelProtocol, what + ": no tunnel_protocol");
    }
  }

  /**
   * tshark prints sFlow's compact output interface as the raw 32-bit word (format in the top two
   * bits); we split it into a kind and an ifIndex, 0 for discarded and multiple (the low bits there
   * are a reason code or an interface count).
   */
  private static void compareSflowOutput(JsonNode o, FlowRecord r, String what) {
    long raw = o.path("out_if").asLong();
    boolean compact = o.path("sample_type").asInt() == 1;
    int format = compact ? (int) (raw >>> 30) : 0;
    long value = compact ? raw & 0x3FFFFFFF : raw;
    switch (format) {
      case 0:
        assertEquals(value, r.outIf, what + ": out_if");
        assertEquals(value == 0x3FFFFFFF ? OutIfKind.LOCAL : OutIfKind.IFINDEX, r.outIfKind, what + ": out_if_kind");
        break;
      case 1:
        assertEquals(0, r.outIf, what + ": out_if");
        assertEquals(OutIfKind.DISCARDED, r.outIfKind, what + ": out_if_kind");
        break;
      case 2:
        assertEquals(0, r.outIf, what + ": out_if");
        assertEquals(OutIfKind.MULTIPLE, r.outIfKind, what + ": out_if_kind");
        break;
      default:
        fail(what + ": output format 3");
    }
  }

  private static void equal(JsonNode expected, long actual, String what) {
    if (expected == null || expected.isNull() || expected.isMissingNode()) return;
    assertEquals(expected.asLong(), actual, what);
  }
}
