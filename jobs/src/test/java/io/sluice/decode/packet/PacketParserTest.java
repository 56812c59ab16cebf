package io.sluice.decode.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class PacketParserTest {
  private final PacketHeader h = new PacketHeader();

  private static byte[] hex(String s) {
    s = s.replaceAll("[^0-9a-fA-F]", "");
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  private static final byte[] ETH_QINQ = hex("001122334455 66778899aabb 88a8 0064 8100 00c8 0800");
  // IPv4 with 4 bytes of options (IHL 6), id 0x1234, DF, TTL 64, TCP, 10.0.0.1 -> 10.0.0.2, total 24+20+5
  private static final byte[] IPV4_OPTS = hex("46 10 0031 1234 4000 40 06 0000 0a000001 0a000002 01010100");
  private static final byte[] TCP = hex("3039 0050 00000001 00000002 50 18 ffff 0000 0000");
  private static final byte[] PAYLOAD = hex("6865 6c6c 6f");

  @Test
  void ethernetQinqIpv4OptionsTcp() {
    byte[] p = concat(ETH_QINQ, IPV4_OPTS, TCP, PAYLOAD);
    assertTrue(PacketParser.parse(PacketParser.LINKTYPE_ETHERNET, p, 0, p.length, h));
    assertEquals(0x001122334455L, h.dstMac);
    assertEquals(2, h.vlanCount);
    assertEquals(100, h.outerVlan);
    assertEquals(200, h.innerVlan);
    assertEquals(4, h.ipVersion);
    assertEquals(24, h.ipHeaderLength);
    assertEquals(0x1234, h.ipId);
    assertTrue(h.dontFragment);
    assertEquals(0x10, h.tos);
    assertEquals(6, h.protocol);
    assertEquals(12345, h.srcPort);
    assertEquals(80, h.dstPort);
    assertEquals(1, h.tcpSeq);
    assertEquals(2, h.tcpAck);
    assertEquals(0x18, h.tcpFlags);
    assertEquals(p.length - 5, h.payloadOffset);
    assertEquals(5, h.payloadLength);
    assertEquals((byte) 0xFF, h.srcAddr[10]);
    assertEquals(10, h.srcAddr[12]);
    assertEquals(4, h.layer);
    assertFalse(h.truncated);
  }

  @Test
  void ipv6ExtensionHeadersAndFragment() {
    // IPv6, next hop-by-hop(0) -> fragment(44) -> UDP(17); first fragment, more fragments, id 0xdeadbeef
    byte[] ip6 = hex("60000000 0024 00 40 20010db8000000000000000000000001 20010db8000000000000000000000002");
    byte[] hbh = hex("2c 00 0000 00000000");
    byte[] frag = hex("11 00 0001 deadbeef");
    byte[] udp = hex("0035 d431 000c 0000 61626364");
    byte[] p = concat(ip6, hbh, frag, udp);
    assertTrue(PacketParser.parse(PacketParser.LINKTYPE_RAW, p, 0, p.length, h));
    assertEquals(6, h.ipVersion);
    assertEquals(17, h.protocol);
    assertEquals(56, h.ipHeaderLength);
    assertTrue(h.moreFragments);
    assertEquals(0, h.fragmentOffset);
    assertEquals(0xdeadbeefL, h.ipId);
    assertEquals(53, h.srcPort);
    assertEquals(4, h.payloadLength);
    // A later fragment has no transport header.
    p[40 + 8 + 3] = (byte) 0x10;
    PacketParser.parse(PacketParser.LINKTYPE_RAW, p, 0, p.length, h);
    assertEquals(-1, h.l4Offset);
    assertEquals(16, h.fragmentOffset);
  }

  @Test
  void mplsAndVxlan() {
    byte[] inner = concat(hex("aaaaaaaaaaaa bbbbbbbbbbbb 0800"), hex("45000028 0001 0000 40 01 0000 c0a80001 c0a80002"), hex("0800 0000 0000 0000"));
    byte[] vxlan = concat(hex("08000000 00abcd00"), inner);
    byte[] udp = concat(hex("c000 12b5"), new byte[] {0, (byte) (8 + vxlan.length)}, hex("0000"), vxlan);
    byte[] ip = concat(hex("4500"), new byte[] {0, (byte) (20 + udp.length)}, hex("0000 0000 40 11 0000 0a000001 0a000002"), udp);
    byte[] mpls = hex("00064 1 40 00065 140".replace(" ", "").replaceAll("(.{8})", "$1 "));
    byte[] p = concat(hex("001122334455 66778899aabb 8847"), hex("00064040 00065140"), ip);
    assertTrue(PacketParser.parse(PacketParser.LINKTYPE_ETHERNET, p, 0, p.length, h));
    assertEquals(2, h.mplsCount);
    assertEquals(100, h.mplsLabels[0]);
    assertEquals(101, h.mplsLabels[1]);
    assertEquals(17, h.protocol);
    assertTrue(h.vxlan);
    assertEquals(0xabcd, h.vxlanVni);
    assertEquals(1, h.inner.protocol);
    assertEquals(8, h.inner.icmpType);
    assertEquals((byte) 0xc0, h.inner.srcAddr[12]);
    assertTrue(mpls.length > 0);
  }

  @Test
  void linuxCookedAndTruncation() {
    byte[] sll = concat(hex("0000 0001 0006 001122334455 0000 0800"), IPV4_OPTS, TCP);
    assertTrue(PacketParser.parse(PacketParser.LINKTYPE_LINUX_SLL, sll, 0, sll.length, h));
    assertEquals(80, h.dstPort);
    for (int len = 0; len < sll.length; len++) {
      PacketParser.parse(PacketParser.LINKTYPE_LINUX_SLL, sll, 0, len, h);
      if (len < 16 + 24 + 20) assertTrue(h.truncated || h.layer < 4, "length " + len);
    }
    assertFalse(PacketParser.parse(PacketParser.LINKTYPE_ETHERNET, sll, 10, sll.length, h));
    assertTrue(h.truncated);
  }
}
