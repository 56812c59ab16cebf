package io.sluice.decode.flow.ipfix;

import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.packet.BigEndian;

/**
 * Picks, once a record's fields are all read, which IP header its row describes. A template may
 * carry both address families (IE 8/12 and 27/28, in either order): on a plain dual-stack template
 * the unused family is all zeros; on a tunnel, SRv6 or 6in4 record both are set, one pair being the
 * carried packet's and the other the tunnel's. The row's addresses, protocol and ports are the
 * carried packet's; the other pair goes to the tunnel columns. Rules (jobs/README.md, Record fields):
 *
 * <ol>
 *   <li>ipVersion (IE 60) names the carried family when the template has that family's addresses;
 *   <li>else the one family with a non-zero address;
 *   <li>both non-zero: protocolIdentifier 41 (IPv6 in IPv4) makes IPv6 the carried packet; 4 (IPv4 in
 *       IPv6), an SRv6 active segment (IE 495) or no hint at all make it IPv4, as nfacctd does;
 *   <li>both all zero: IPv6 when the template has it (nfacctd's choice), else IPv4.
 * </ol>
 *
 * A protocolIdentifier of 4 or 41 that names the carried packet's own encapsulation is the tunnel's
 * protocol, not the carried packet's: the row's protocol is then nextHeaderIPv6 (IE 193) for a carried
 * IPv6 packet when exported, else 0 (not exported). Same code on both decode paths: it runs in
 * {@code DataRecordDecoder.finish}.
 */
final class CarriedHeader {
  private CarriedHeader() {}

  static final int IPIP = 4;
  static final int IPV6_IN_IP = 41;

  static void choose(byte[] b, RecordFields f, FlowRecord r) {
    boolean has4 = f.src4 >= 0 || f.dst4 >= 0;
    boolean has6 = f.src6 >= 0 || f.dst6 >= 0;
    if (!has4 && !has6) {
      if (f.srv6Sid >= 0) srv6Only(b, f, r);
      return;
    }
    boolean set4 = nonZero4(b, f.src4) || nonZero4(b, f.dst4);
    boolean set6 = nonZero16(b, f.src6) || nonZero16(b, f.dst6);
    int carried;
    if (f.ipVersion == 4 && has4) carried = 4;
    else if (f.ipVersion == 6 && has6) carried = 6;
    else if (set4 != set6) carried = set4 ? 4 : 6;
    else if (set4) carried = r.protocol == IPV6_IN_IP ? 6 : 4;
    else carried = has6 ? 6 : 4;

    if (carried == 4) {
      if (f.src4 >= 0) BigEndian.ipv4Mapped(b, f.src4, r.srcAddr);
      if (f.dst4 >= 0) BigEndian.ipv4Mapped(b, f.dst4, r.dstAddr);
    } else {
      if (f.src6 >= 0) BigEndian.ipv6(b, f.src6, r.srcAddr);
      if (f.dst6 >= 0) BigEndian.ipv6(b, f.dst6, r.dstAddr);
    }
    r.ipVersion = carried;
    f.has |= RecordFields.SRC_ADDR | RecordFields.DST_ADDR;

    boolean tunnel = carried == 4 ? set6 : set4;
    if (tunnel) {
      if (carried == 4) {
        if (f.src6 >= 0) BigEndian.ipv6(b, f.src6, r.tunnelSrcAddr);
        if (f.dst6 >= 0) BigEndian.ipv6(b, f.dst6, r.tunnelDstAddr);
      } else {
        if (f.src4 >= 0) BigEndian.ipv4Mapped(b, f.src4, r.tunnelSrcAddr);
        if (f.dst4 >= 0) BigEndian.ipv4Mapped(b, f.dst4, r.tunnelDstAddr);
      }
      tunnelProtocol(f, r, carried);
    } else if (carried == 4 && f.srv6Sid >= 0 && nonZero16(b, f.srv6Sid)) {
      // IPv4 over SRv6 without the outer IPv6 addresses: the active segment is the outer destination.
      BigEndian.ipv6(b, f.srv6Sid, r.tunnelDstAddr);
      tunnelProtocol(f, r, carried);
    }
  }

  /** The outer header's protocol: the one that says what it carries (4 for IPv4, 41 for IPv6). */
  private static void tunnelProtocol(RecordFields f, FlowRecord r, int carried) {
    int encapsulation = carried == 4 ? IPIP : IPV6_IN_IP;
    r.tunnelProtocol = encapsulation;
    if (r.protocol == encapsulation) {
      // protocolIdentifier is the outer header's here; the carried packet's is only known from IE 193.
      r.protocol = carried == 6 && f.has(RecordFields.NEXT_HEADER6) ? f.nextHeader6 : 0;
    }
  }

  /** A record with an SRv6 active segment and no IP addresses: the segment is the tunnel's destination. */
  private static void srv6Only(byte[] b, RecordFields f, FlowRecord r) {
    if (!nonZero16(b, f.srv6Sid)) return;
    BigEndian.ipv6(b, f.srv6Sid, r.tunnelDstAddr);
  }

  private static boolean nonZero4(byte[] b, int p) {
    return p >= 0 && BigEndian.s32(b, p) != 0;
  }

  private static boolean nonZero16(byte[] b, int p) {
    return p >= 0 && !BigEndian.isZero16(b, p);
  }
}
