package io.sluice.ingest.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.net.IpAddresses;
import io.sluice.wire.FlowProtocol;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlowSniffTest {
  /** The agent addresses tshark found in these real captures (oracle summaries), and their UDP sources. */
  @ParameterizedTest
  @CsvSource({
      "flows/akvorado/sflow/data-1140.pcap, 172.16.0.3, 192.0.2.100",
      "flows/akvorado/sflow/data-qinq.pcap, 172.17.128.58, ",
      "flows/goflow2/sflow_expanded.pcap, 1.2.3.4, ",
      "flows/pktvisor/sflow_ipv6.pcap, 10.0.0.99, ",
  })
  void sflowAgentOfRealDatagrams(String file, String agent, String udpSource) throws Exception {
    List<UdpPayloads.Datagram> datagrams = UdpPayloads.read(UdpPayloads.fixtures().resolve(file));
    assertEquals(1, datagrams.size());
    UdpPayloads.Datagram d = datagrams.get(0);
    assertEquals(FlowProtocol.SFLOW_V5, FlowSniff.protocol(ListenerKind.SFLOW, d.payload(), d.payload().length));
    assertArrayEquals(IpAddresses.parse(agent), FlowSniff.sflowAgent(d.payload(), d.payload().length));
    if (udpSource != null) {
      assertEquals(udpSource, IpAddresses.format(d.srcAddr16()));
    }
  }

  @Test
  void sflowIpv6AgentAndTruncation() {
    byte[] d = HexFormat.of().parseHex("00000005" + "00000002" + "20010db8000000000000000000000042" + "00000000");
    assertArrayEquals(IpAddresses.parse("2001:db8::42"), FlowSniff.sflowAgent(d, d.length));
    assertNull(FlowSniff.sflowAgent(d, 23), "IPv6 address cut short");
    byte[] v4 = HexFormat.of().parseHex("00000005" + "00000001" + "c0000201");
    assertArrayEquals(IpAddresses.parse("192.0.2.1"), FlowSniff.sflowAgent(v4, 12));
    assertNull(FlowSniff.sflowAgent(v4, 11));
    byte[] unknownType = HexFormat.of().parseHex("00000005" + "00000003" + "c0000201");
    assertNull(FlowSniff.sflowAgent(unknownType, 12));
    byte[] v4version = HexFormat.of().parseHex("00000004" + "00000001" + "c0000201");
    assertNull(FlowSniff.sflowAgent(v4version, 12));
    assertNull(FlowSniff.protocol(ListenerKind.SFLOW, v4version, 12));
  }

  @ParameterizedTest
  @CsvSource({
      "flows/akvorado/netflow/nfv5.pcap, NETFLOW_V5",
      "flows/goflow2/nfv9_template_data.pcap, NETFLOW_V9",
      "flows/logstash-codec-netflow/ipfix_yaf.pcap, IPFIX",
      "flows/pktvisor/nf1.pcap, FLOW_PROTOCOL_UNKNOWN",
      "flows/pktvisor/nf7.pcap, FLOW_PROTOCOL_UNKNOWN",
  })
  void netflowVersions(String file, FlowProtocol expected) throws Exception {
    for (UdpPayloads.Datagram d : UdpPayloads.read(UdpPayloads.fixtures().resolve(file))) {
      assertEquals(expected, FlowSniff.protocol(ListenerKind.NETFLOW, d.payload(), d.payload().length));
      assertEquals(expected, FlowSniff.protocol(ListenerKind.IPFIX, d.payload(), d.payload().length));
    }
  }

  @Test
  void sflowOnTheNetflowPortIsRefused() throws Exception {
    byte[] sflow = UdpPayloads.read(UdpPayloads.fixtures().resolve("flows/akvorado/sflow/data-1140.pcap")).get(0).payload();
    assertNull(FlowSniff.protocol(ListenerKind.NETFLOW, sflow, sflow.length));
    assertNull(FlowSniff.protocol(ListenerKind.NETFLOW, new byte[1], 1));
    assertNull(FlowSniff.protocol(ListenerKind.SFLOW, Arrays.copyOf(sflow, 3), 3));
  }
}
