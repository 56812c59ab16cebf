package io.sluice.decode.packet;

import static io.sluice.decode.packet.BigEndian.s32;
import static io.sluice.decode.packet.BigEndian.u16;
import static io.sluice.decode.packet.BigEndian.u32;
import static io.sluice.decode.packet.BigEndian.u48;
import static io.sluice.decode.packet.BigEndian.u8;

/**
 * Parses L2–L4 packet headers into a reusable {@link PacketHeader}, without allocating.
 *
 * <p>API (stable; shared by the flow decoders and the L7 decoders):
 *
 * <ul>
 *   <li>{@link #parse(int, byte[], int, int, PacketHeader)}: a captured frame of a pcap link type
 *       ({@link #LINKTYPE_ETHERNET}, {@link #LINKTYPE_RAW}, {@link #LINKTYPE_LINUX_SLL},
 *       {@link #LINKTYPE_LINUX_SLL2}, {@link #LINKTYPE_NULL}, {@link #LINKTYPE_IPV4}, {@link
 *       #LINKTYPE_IPV6}).
 *   <li>{@link #parseEthernet(byte[], int, int, PacketHeader)}: an Ethernet frame (802.1Q/QinQ
 *       tags, MPLS incl. an Ethernet pseudowire control word, IPv4, IPv6).
 *   <li>{@link #parseIp(byte[], int, int, PacketHeader)}: an IPv4 or IPv6 packet, chosen by its
 *       version nibble.
 * </ul>
 *
 * Each resets the holder first and returns true when an IP header was decoded ({@code
 * out.layer >= 3}). It never throws on any input: a header cut short sets {@code out.truncated}
 * and leaves later layers unset. IPv4 options and IPv6 extension headers (hop-by-hop, routing,
 * fragment, destination options, AH, mobility, HIP, shim6) are skipped to reach the transport
 * header; a non-first fragment has no transport header ({@code l4Offset == -1}). TCP, UDP, ICMP and
 * ICMPv6 are decoded; Ethernet pseudowires nested deeper than {@link #MAX_PSEUDOWIRE_NESTING} set {@code
 * out.tooDeep} and stop there (no recursion: a crafted frame cannot exhaust the stack); a UDP datagram to port 4789 carrying a VXLAN header has its inner Ethernet
 * frame parsed into {@code out.inner} ({@code out.vxlan}), and so has an IPv4/IPv6 packet inside IP
 * (protocol 4 or 41, e.g. SRv6) ({@code out.ipInIp}). The outer headers stay in {@code out}.
 */
public final class PacketParser {
  public static final int LINKTYPE_NULL = 0;
  public static final int LINKTYPE_ETHERNET = 1;
  public static final int LINKTYPE_RAW = 101;
  public static final int LINKTYPE_LINUX_SLL = 113;
  public static final int LINKTYPE_IPV4 = 228;
  public static final int LINKTYPE_IPV6 = 229;
  public static final int LINKTYPE_LINUX_SLL2 = 276;

  public static final int ETHERTYPE_IPV4 = 0x0800;
  public static final int ETHERTYPE_IPV6 = 0x86DD;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int ETHERTYPE_QINQ = 0x88A8;
  private static final int ETHERTYPE_QINQ_OLD = 0x9100;
  private static final int ETHERTYPE_MPLS = 0x8847;
  private static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;

  public static final int PROTO_ICMP = 1;
  public static final int PROTO_TCP = 6;
  public static final int PROTO_UDP = 17;
  public static final int PROTO_ICMPV6 = 58;
  public static final int PROTO_IPIP = 4;
  public static final int PROTO_IPV6_IN_IP = 41;

  private static final int MAX_VLAN_TAGS = 4;
  /**
   * Ethernet pseudowires inside MPLS inside Ethernet... deeper than this sets {@code out.tooDeep}. Real networks nest
   * one or two; a crafted frame nests thousands (each level is only 22 bytes).
   */
  public static final int MAX_PSEUDOWIRE_NESTING = 8;
  private static final int MAX_IPV6_EXTENSIONS = 8;

  private PacketParser() {}

  public static boolean parse(int linkType, byte[] buf, int off, int len, PacketHeader out) {
    out.reset();
    if (!inBounds(buf, off, len)) {
      out.truncated = true;
      return false;
    }
    int end = off + len;
    switch (linkType) {
      case LINKTYPE_ETHERNET:
        return ethernet(buf, off, end, out);
      case LINKTYPE_RAW:
      case LINKTYPE_IPV4:
      case LINKTYPE_IPV6:
        return ip(buf, off, end, out);
      case LINKTYPE_LINUX_SLL:
        if (len < 16) return truncated(out);
        out.layer = 2;
        return byEtherType(u16(buf, off + 14), buf, off + 16, end, out);
      case LINKTYPE_LINUX_SLL2:
        if (len < 20) return truncated(out);
        out.layer = 2;
        return byEtherType(u16(buf, off), buf, off + 20, end, out);
      case LINKTYPE_NULL:
        if (len < 4) return truncated(out);
        out.layer = 2;
        return ip(buf, off + 4, end, out);
      default:
        return false;
    }
  }

  public static boolean parseEthernet(byte[] buf, int off, int len, PacketHeader out) {
    out.reset();
    if (!inBounds(buf, off, len)) return truncated(out);
    return ethernet(buf, off, off + len, out);
  }

  public static boolean parseIp(byte[] buf, int off, int len, PacketHeader out) {
    out.reset();
    if (!inBounds(buf, off, len)) return truncated(out);
    return ip(buf, off, off + len, out);
  }

  private static boolean inBounds(byte[] buf, int off, int len) {
    return buf != null && off >= 0 && len >= 0 && off <= buf.length - len;
  }

  private static boolean truncated(PacketHeader out) {
    out.truncated = true;
    return false;
  }

  private static boolean ethernet(byte[] b, int p, int end, PacketHeader out) {
    if (end - p < 14) return truncated(out);
    out.dstMac = u48(b, p);
    out.srcMac = u48(b, p + 6);
    out.layer = 2;
    return byEtherType(u16(b, p + 12), b, p + 14, end, out);
  }

  /**
   * The layers after an EtherType: VLAN tags, MPLS labels and Ethernet pseudowires, in a loop rather than by recursion
   * so that no nesting can exhaust the stack; past {@link #MAX_PSEUDOWIRE_NESTING} it gives up and says so.
   */
  private static boolean byEtherType(int type, byte[] b, int p, int end, PacketHeader out) {
    for (int pseudowires = 0; ; pseudowires++) {
      int tags = 0;
      while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
        if (end - p < 4) return truncated(out);
        if (tags++ == MAX_VLAN_TAGS) return false;
        int vid = u16(b, p) & 0x0FFF;
        if (out.vlanCount == 0) out.outerVlan = vid;
        out.innerVlan = vid;
        out.vlanCount++;
        type = u16(b, p + 2);
        p += 4;
      }
      if (type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6) {
        out.etherType = type;
        return ip(b, p, end, out);
      }
      if (type != ETHERTYPE_MPLS && type != ETHERTYPE_MPLS_MULTICAST) {
        out.etherType = type;
        return false;
      }
      p = mplsLabels(b, p, end, out);
      if (p < 0) return truncated(out);
      int nibble = (b[p] & 0xF0) >>> 4;
      if (nibble == 4 || nibble == 6) {
        out.etherType = nibble == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
        return ip(b, p, end, out);
      }
      if (nibble != 0) return false;
      // An Ethernet pseudowire behind its control word (RFC 4385): the inner frame's headers.
      if (pseudowires == MAX_PSEUDOWIRE_NESTING) {
        out.tooDeep = true;
        return false;
      }
      p += 4;
      if (end - p < 14) return truncated(out);
      type = u16(b, p + 12);
      p += 14;
    }
  }

  /** Reads an MPLS label stack to its bottom; returns where the payload starts (at least one byte left), or -1. */
  private static int mplsLabels(byte[] b, int p, int end, PacketHeader out) {
    while (true) {
      if (end - p < 4) return -1;
      int entry = s32(b, p);
      if (out.mplsCount < PacketHeader.MAX_MPLS_LABELS) out.mplsLabels[out.mplsCount] = entry >>> 12;
      out.mplsCount++;
      p += 4;
      if ((entry & 0x100) != 0) break;
    }
    return end - p < 1 ? -1 : p;
  }

  private static boolean ip(byte[] b, int p, int end, PacketHeader out) {
    if (end - p < 1) return truncated(out);
    int version = (b[p] & 0xF0) >>> 4;
    if (version == 4) return ipv4(b, p, end, out);
    if (version == 6) return ipv6(b, p, end, out);
    return false;
  }

  private static boolean ipv4(byte[] b, int p, int end, PacketHeader out) {
    if (end - p < 20) return truncated(out);
    int ihl = (b[p] & 0x0F) * 4;
    if (ihl < 20) return false;
    out.ipVersion = 4;
    out.etherType = ETHERTYPE_IPV4;
    out.ipOffset = p;
    out.ipHeaderLength = ihl;
    out.tos = u8(b, p + 1);
    out.ipTotalLength = u16(b, p + 2);
    out.ipId = u16(b, p + 4);
    int frag = u16(b, p + 6);
    out.dontFragment = (frag & 0x4000) != 0;
    out.moreFragments = (frag & 0x2000) != 0;
    out.fragmentOffset = (frag & 0x1FFF) * 8;
    out.ttl = u8(b, p + 8);
    out.protocol = u8(b, p + 9);
    BigEndian.ipv4Mapped(b, p + 12, out.srcAddr);
    BigEndian.ipv4Mapped(b, p + 16, out.dstAddr);
    out.layer = 3;
    if (end - p < ihl) {
      out.truncated = true;
      return true;
    }
    if (out.fragmentOffset != 0) return true;
    int ipEnd = out.ipTotalLength >= ihl ? Math.min(end, p + out.ipTotalLength) : end;
    transport(b, p + ihl, ipEnd, out);
    return true;
  }

  private static boolean ipv6(byte[] b, int p, int end, PacketHeader out) {
    if (end - p < 40) return truncated(out);
    out.ipVersion = 6;
    out.etherType = ETHERTYPE_IPV6;
    out.ipOffset = p;
    int first = s32(b, p);
    out.tos = (first >>> 20) & 0xFF;
    out.flowLabel = first & 0xFFFFF;
    out.ipTotalLength = u16(b, p + 4) + 40;
    int next = u8(b, p + 6);
    out.ttl = u8(b, p + 7);
    BigEndian.ipv6(b, p + 8, out.srcAddr);
    BigEndian.ipv6(b, p + 24, out.dstAddr);
    out.layer = 3;
    int q = p + 40;
    for (int i = 0; i < MAX_IPV6_EXTENSIONS && isIpv6Extension(next); i++) {
      if (end - q < 8) {
        out.protocol = next;
        out.ipHeaderLength = q - p;
        out.truncated = true;
        return true;
      }
      int hdrLen;
      if (next == 44) {
        int frag = u16(b, q + 2);
        out.fragmentOffset = frag & 0xFFF8;
        out.moreFragments = (frag & 1) != 0;
        out.ipId = u32(b, q + 4);
        hdrLen = 8;
      } else if (next == 51) {
        hdrLen = (u8(b, q + 1) + 2) * 4;
      } else {
        hdrLen = (u8(b, q + 1) + 1) * 8;
      }
      next = u8(b, q);
      q += hdrLen;
    }
    out.protocol = next;
    out.ipHeaderLength = q - p;
    if (q > end) {
      out.truncated = true;
      return true;
    }
    if (out.fragmentOffset != 0 || isIpv6Extension(next)) return true;
    transport(b, q, Math.min(end, p + out.ipTotalLength), out);
    return true;
  }

  private static boolean isIpv6Extension(int next) {
    switch (next) {
      case 0: case 43: case 44: case 51: case 60: case 135: case 139: case 140:
        return true;
      default:
        return false;
    }
  }

  /** Decodes the transport header at {@code p}; {@code end} bounds the IP packet's captured bytes. */
  private static void transport(byte[] b, int p, int end, PacketHeader out) {
    if (end < p) end = p;
    switch (out.protocol) {
      case PROTO_TCP: {
        if (end - p < 20) {
          out.truncated = true;
          return;
        }
        out.l4Offset = p;
        out.srcPort = u16(b, p);
        out.dstPort = u16(b, p + 2);
        out.tcpSeq = u32(b, p + 4);
        out.tcpAck = u32(b, p + 8);
        int dataOffset = ((b[p + 12] & 0xF0) >>> 4) * 4;
        out.tcpFlags = u8(b, p + 13);
        out.tcpWindow = u16(b, p + 14);
        out.layer = 4;
        payload(p + Math.max(20, dataOffset), end, out);
        return;
      }
      case PROTO_UDP: {
        if (end - p < 8) {
          out.truncated = true;
          return;
        }
        out.l4Offset = p;
        out.srcPort = u16(b, p);
        out.dstPort = u16(b, p + 2);
        out.udpLength = u16(b, p + 4);
        out.layer = 4;
        int udpEnd = out.udpLength >= 8 ? Math.min(end, p + out.udpLength) : end;
        payload(p + 8, udpEnd, out);
        if (out.dstPort == PacketHeader.VXLAN_PORT && out.inner != null) vxlan(b, out);
        return;
      }
      case PROTO_ICMP:
      case PROTO_ICMPV6: {
        if (end - p < 2) {
          out.truncated = true;
          return;
        }
        out.l4Offset = p;
        out.icmpType = u8(b, p);
        out.icmpCode = u8(b, p + 1);
        out.layer = 4;
        payload(p + Math.min(8, end - p), end, out);
        return;
      }
      case PROTO_IPIP:
      case PROTO_IPV6_IN_IP:
        payload(p, end, out);
        if (out.inner != null) {
          out.inner.reset();
          out.ipInIp = ip(b, p, end, out.inner);
        }
        return;
      default:
        payload(p, end, out);
    }
  }

  private static void payload(int start, int end, PacketHeader out) {
    if (start > end) {
      out.payloadOffset = end;
      out.payloadLength = 0;
      out.truncated = true;
      return;
    }
    out.payloadOffset = start;
    out.payloadLength = end - start;
  }

  private static void vxlan(byte[] b, PacketHeader out) {
    int p = out.payloadOffset;
    if (out.payloadLength < 8 + 14 || (b[p] & 0x08) == 0) return;
    out.vxlan = true;
    out.vxlanVni = BigEndian.u24(b, p + 4);
    PacketHeader inner = out.inner;
    inner.reset();
    ethernet(b, p + 8, p + out.payloadLength, inner);
  }
}
