package io.sluice.decode.flow.ipfix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.RecordKind;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Records whose template carries both address families (RFC 7012 IEs 8/12 and 27/28), built here as
 * RFC 7011 IPFIX and RFC 3954 NetFlow v9 datagrams. Each decodes to the one header the rules in
 * jobs/README.md "Record fields" give, identically on the three ways in: NetFlow v9, IPFIX through the
 * compiled fixed-length plan, and IPFIX field by field (a variable-length field in the template).
 */
public class DualStackAndTunnelRecordsTest {
  private static final String V4_SRC = "192.0.2.1";
  private static final String V4_DST = "198.51.100.7";
  private static final String V6_SRC = "2001:db8::10";
  private static final String V6_DST = "2001:db8:ffff::20";
  private static final String SID = "fc00:0:1:e001::";

  public static Stream<Arguments> cases() {
    List<Arguments> c = new ArrayList<>();
    // Plain dual-stack templates: the unused family is all zeros, in either template order.
    c.add(of("v4 first, v6 zero", m -> { v4(m, V4_SRC, V4_DST); v6(m, "::", "::"); },
        "192.0.2.1 198.51.100.7 v4 6 1234 443 | - - 0"));
    c.add(of("v6 first, v6 zero", m -> { v6(m, "::", "::"); v4(m, V4_SRC, V4_DST); },
        "192.0.2.1 198.51.100.7 v4 6 1234 443 | - - 0"));
    c.add(of("v4 first, v4 zero", m -> { v4(m, "0.0.0.0", "0.0.0.0"); v6(m, V6_SRC, V6_DST); },
        "2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 v6 6 1234 443 | - - 0"));
    c.add(of("v6 first, v4 zero", m -> { v6(m, V6_SRC, V6_DST); v4(m, "0.0.0.0", "0.0.0.0"); },
        "2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 v6 6 1234 443 | - - 0"));
    c.add(of("v6 first, v6 zero, ipVersion 4", m -> { v6(m, "::", "::"); v4(m, V4_SRC, V4_DST); m.u8(60, 4); },
        "192.0.2.1 198.51.100.7 v4 6 1234 443 | - - 0"));
    c.add(of("v4 first, v4 zero, ipVersion 6", m -> { m.u8(60, 6); v4(m, "0.0.0.0", "0.0.0.0"); v6(m, V6_SRC, V6_DST); },
        "2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 v6 6 1234 443 | - - 0"));
    // A zero source with a set destination (DHCP discover to broadcast) is still IPv4.
    c.add(of("v6 first, v4 source zero", m -> { v6(m, "::", "::"); v4(m, "0.0.0.0", "255.255.255.255"); },
        "0.0.0.0 255.255.255.255 v4 6 1234 443 | - - 0"));
    // Both families all zero: IPv6 as nfacctd reports it, unless ipVersion says 4.
    c.add(of("both zero", m -> { v4(m, "0.0.0.0", "0.0.0.0"); v6(m, "::", "::"); }, "- - v6 6 1234 443 | - - 0"));
    c.add(of("both zero, ipVersion 4", m -> { v6(m, "::", "::"); v4(m, "0.0.0.0", "0.0.0.0"); m.u8(60, 4); },
        "0.0.0.0 0.0.0.0 v4 6 1234 443 | - - 0"));

    // Tunnels: both families set. ipVersion names the carried packet; the other pair is the tunnel.
    c.add(of("IPv4 in IPv6, ipVersion 4, v6 first", m -> { v6(m, V6_SRC, V6_DST); v4(m, V4_SRC, V4_DST); m.u8(60, 4); },
        "192.0.2.1 198.51.100.7 v4 6 1234 443 | 2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 4"));
    c.add(of("IPv6 in IPv4, ipVersion 6", m -> { m.u8(60, 6); v4(m, V4_SRC, V4_DST); v6(m, V6_SRC, V6_DST); },
        "2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 v6 6 1234 443 | 192.0.2.1 198.51.100.7 41"));
    c.add(of("no ipVersion, transport protocol: IPv4 carried, as nfacctd", m -> { v6(m, V6_SRC, V6_DST); v4(m, V4_SRC, V4_DST); },
        "192.0.2.1 198.51.100.7 v4 6 1234 443 | 2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 4"));
    // protocolIdentifier 41/4 is the outer header's: it names what the tunnel carries.
    c.add(of("6in4, protocol 41", m -> { v4(m, V4_SRC, V4_DST); v6(m, V6_SRC, V6_DST); }, 41,
        "2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 v6 0 1234 443 | 192.0.2.1 198.51.100.7 41"));
    c.add(of("6in4, protocol 41, nextHeaderIPv6 17", m -> { v4(m, V4_SRC, V4_DST); v6(m, V6_SRC, V6_DST); m.u8(193, 17); }, 41,
        "2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 v6 17 1234 443 | 192.0.2.1 198.51.100.7 41"));
    c.add(of("IPIP over IPv6, protocol 4", m -> { v6(m, V6_SRC, V6_DST); v4(m, V4_SRC, V4_DST); }, 4,
        "192.0.2.1 198.51.100.7 v4 0 1234 443 | 2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 4"));
    c.add(of("6in4 without the outer pair", m -> { v4(m, "0.0.0.0", "0.0.0.0"); v6(m, V6_SRC, V6_DST); }, 41,
        "2001:db8:0:0:0:0:0:10 2001:db8:ffff:0:0:0:0:20 v6 41 1234 443 | - - 0"));
    // SRv6 (RFC 9487 srhActiveSegmentIPv6, IE 495): the IPv6 header is the encapsulation.
    c.add(of("IPv4 over SRv6, SID only", m -> { v4(m, V4_SRC, V4_DST); m.field(495, addr(SID)); },
        "192.0.2.1 198.51.100.7 v4 6 1234 443 | - fc00:0:1:e001:0:0:0:0 4"));
    c.add(of("IPv4 over SRv6, outer pair and SID", m -> { m.field(495, addr(SID)); v6(m, V6_SRC, SID); v4(m, V4_SRC, V4_DST); },
        "192.0.2.1 198.51.100.7 v4 6 1234 443 | 2001:db8:0:0:0:0:0:10 fc00:0:1:e001:0:0:0:0 4"));
    // MPLS VPN (labels, VRF, the top label's PE address IE 47): one IP header, the customer's.
    c.add(of("MPLS VPN", m -> {
      m.u32(234, 7);
      m.field(70, new byte[] {0x01, (byte) 0xF4, 0x10}); // label 8001
      m.field(71, new byte[] {0x00, 0x01, 0x21}); // label 18, bottom of stack
      m.field(47, addr4("203.0.113.9"));
      v4(m, V4_SRC, V4_DST);
      v6(m, "::", "::");
    }, "192.0.2.1 198.51.100.7 v4 6 1234 443 | - - 0 labels [8001, 18]"));

    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decodesToTheCarriedHeaderOnEveryPath(String name, FlowMessages message, String expected) {
    String v9 = decode(message.netflow9(300, 1));
    String fixed = decode(message.ipfix(300, false, 1));
    String variable = decode(message.ipfix(300, true, 1));
    assertEquals(expected, fixed, "IPFIX, compiled fixed-length plan");
    assertEquals(fixed, variable, "IPFIX field by field = fixed plan");
    assertEquals(fixed, v9, "NetFlow v9 = IPFIX");
  }

  private static Arguments of(String name, Consumer<FlowMessages> addresses, String expected) {
    return of(name, addresses, 6, expected);
  }

  private static Arguments of(String name, Consumer<FlowMessages> addresses, int protocol, String expected) {
    FlowMessages m = new FlowMessages();
    m.u32(1, 1500).u32(2, 3);
    addresses.accept(m);
    m.u8(4, protocol).u16(7, 1234).u16(11, 443).u32(10, 5).u32(14, 6);
    return Arguments.of(name, m, expected);
  }

  private static void v4(FlowMessages m, String src, String dst) {
    m.field(8, addr4(src)).field(12, addr4(dst));
  }

  private static void v6(FlowMessages m, String src, String dst) {
    m.field(27, addr(src)).field(28, addr(dst));
  }

  private static byte[] addr4(String a) {
    byte[] b = addr(a);
    return b.length == 4 ? b : java.util.Arrays.copyOfRange(b, 12, 16);
  }

  private static byte[] addr(String a) {
    try {
      return InetAddress.getByName(a).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(a, e);
    }
  }

  static String decode(byte[] datagram) {
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState();
    DecodeCounters counters = new DecodeCounters();
    List<String> out = new ArrayList<>();
    decoder.decode(datagram, 0, datagram.length, new byte[16], 1, state, r -> out.add(describe(r)), counters);
    assertEquals(0, counters.totalProblems(), counters.problems().toString());
    assertEquals(1, counters.records(RecordKind.FLOW));
    assertEquals(1, out.size());
    return out.get(0);
  }

  /** src dst version protocol ports | tunnel src, dst, protocol; bytes, packets and interfaces checked here. */
  static String describe(FlowRecord r) {
    assertEquals(1500, r.sampledBytes);
    assertEquals(3, r.sampledPackets);
    assertEquals(5, r.inIf);
    assertEquals(6, r.outIf);
    String s = text(r.srcAddr) + " " + text(r.dstAddr) + " v" + r.ipVersion + " " + r.protocol + " " + r.srcPort + " "
        + r.dstPort + " | " + text(r.tunnelSrcAddr) + " " + text(r.tunnelDstAddr) + " " + r.tunnelProtocol;
    if (r.mplsLabelCount > 0) s += " labels " + java.util.Arrays.toString(r.mplsLabelList());
    return s;
  }

  /** "-" for all zero; dotted for IPv4-mapped; full IPv6 otherwise. */
  static String text(byte[] a16) {
    boolean zero = true;
    for (byte x : a16) zero &= x == 0;
    if (zero) return "-";
    try {
      return InetAddress.getByAddress(a16).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
