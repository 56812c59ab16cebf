package io.sluice.decode.flow.sflow;

import static io.sluice.decode.packet.BigEndian.s32;
import static io.sluice.decode.packet.BigEndian.u32;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.flow.RecordKind;
import io.sluice.decode.packet.BigEndian;
import io.sluice.decode.packet.PacketParser;

/** sFlow flow samples (compact 1 and expanded 3) and their flow records. */
final class FlowSampleDecoder {
  private static final int HEADER_ETHERNET = 1;
  private static final int HEADER_IPV4 = 11;
  private static final int HEADER_IPV6 = 12;

  // What the records of the current sample provided.
  private boolean rawHeader;
  private boolean ipRecord;
  private boolean switchRecord;
  private long frameLength;

  void decode(byte[] b, int p, int end, boolean expanded, long subAgent, long sequence, byte[] agent, DecodeContext ctx) {
    int fixed = expanded ? 44 : 32;
    if (end - p < fixed) {
      ctx.problem(DecodeProblem.TRUNCATED_SAMPLE);
      return;
    }
    FlowRecord r = ctx.newRecord(FlowType.SFLOW5, subAgent, sequence);
    System.arraycopy(agent, 0, r.agentAddr, 0, 16);
    long rate = u32(b, p + (expanded ? 12 : 8));
    long records;
    if (expanded) {
      r.inIf = u32(b, p + 28);
      SflowDecoder.outputInterface(r, s32(b, p + 32), u32(b, p + 36));
      records = u32(b, p + 40);
    } else {
      r.inIf = u32(b, p + 20) & 0x3FFFFFFF;
      int out = s32(b, p + 24);
      SflowDecoder.outputInterface(r, out >>> 30, out & 0x3FFFFFFF);
      records = u32(b, p + 28);
    }
    p += fixed;
    rawHeader = ipRecord = switchRecord = false;
    frameLength = 0;
    for (long i = 0; i < records && end - p >= 8; i++) {
      int tag = s32(b, p);
      long length = u32(b, p + 4);
      p += 8;
      if (length > end - p) {
        ctx.problem(DecodeProblem.TRUNCATED_FLOW_RECORD);
        break;
      }
      record(tag, b, p, (int) length, r, ctx);
      p += (int) length;
    }
    if (rawHeader) SflowDecoder.fromPacket(r, ctx.packet, switchRecord);
    r.sampledPackets = 1;
    r.sampledBytes = frameLength;
    ctx.state.applySampling(r, rate, false, 0);
    ctx.counters.record(RecordKind.FLOW);
    ctx.sink.flow(r);
  }

  private void record(int tag, byte[] b, int p, int len, FlowRecord r, DecodeContext ctx) {
    switch (tag) {
      case 1: // raw packet header
        if (len < 16) break;
        int protocol = s32(b, p);
        long frame = u32(b, p + 4);
        long headerLength = Math.min(u32(b, p + 12), len - 16);
        frameLength = frame;
        boolean ok;
        if (protocol == HEADER_ETHERNET) ok = PacketParser.parseEthernet(b, p + 16, (int) headerLength, ctx.packet);
        else if (protocol == HEADER_IPV4 || protocol == HEADER_IPV6) ok = PacketParser.parseIp(b, p + 16, (int) headerLength, ctx.packet);
        else ok = false;
        if (ok) rawHeader = true;
        else ctx.problem(ctx.packet.tooDeep ? DecodeProblem.PACKET_NESTING_TOO_DEEP : DecodeProblem.UNDECODED_PACKET_HEADER);
        return;
      case 2: // ethernet frame data
        if (len < 24 || rawHeader) break;
        if (frameLength == 0) frameLength = u32(b, p);
        r.srcMac = BigEndian.u48(b, p + 4);
        r.dstMac = BigEndian.u48(b, p + 12);
        return;
      case 3: // IPv4 data
        if (len < 32 || rawHeader) break;
        ipRecord = true;
        if (frameLength == 0) frameLength = u32(b, p);
        r.ipLength = (int) Math.min(u32(b, p), Integer.MAX_VALUE);
        r.protocol = s32(b, p + 4) & 0xFF;
        r.ipVersion = 4;
        BigEndian.ipv4Mapped(b, p + 8, r.srcAddr);
        BigEndian.ipv4Mapped(b, p + 12, r.dstAddr);
        r.srcPort = s32(b, p + 16) & 0xFFFF;
        r.dstPort = s32(b, p + 20) & 0xFFFF;
        r.tcpFlags = s32(b, p + 24) & 0xFF;
        r.tos = s32(b, p + 28) & 0xFF;
        return;
      case 4: // IPv6 data
        if (len < 56 || rawHeader) break;
        ipRecord = true;
        if (frameLength == 0) frameLength = u32(b, p);
        r.ipLength = (int) Math.min(u32(b, p), Integer.MAX_VALUE);
        r.protocol = s32(b, p + 4) & 0xFF;
        r.ipVersion = 6;
        BigEndian.ipv6(b, p + 8, r.srcAddr);
        BigEndian.ipv6(b, p + 24, r.dstAddr);
        r.srcPort = s32(b, p + 40) & 0xFFFF;
        r.dstPort = s32(b, p + 44) & 0xFFFF;
        r.tcpFlags = s32(b, p + 48) & 0xFF;
        r.tos = s32(b, p + 52) & 0xFF;
        return;
      case 1001: // extended switch
        if (len < 16) break;
        switchRecord = true;
        r.srcVlan = s32(b, p) & 0xFFF;
        r.dstVlan = s32(b, p + 8) & 0xFFF;
        return;
      case 1002: { // extended router
        int q = address(b, p, p + len, r.nextHop);
        if (q < 0 || p + len - q < 8) break;
        r.srcMask = s32(b, q) & 0xFF;
        r.dstMask = s32(b, q + 4) & 0xFF;
        return;
      }
      case 1003: // extended gateway
        if (gateway(b, p, p + len, r)) return;
        break;
      default:
        ctx.counters.record(RecordKind.SFLOW_UNKNOWN_RECORD);
        return;
    }
    ctx.problem(DecodeProblem.TRUNCATED_FLOW_RECORD);
  }

  /** An sFlow address (type, then 4 or 16 bytes) into {@code dst}: the offset after it, or -1. */
  private static int address(byte[] b, int p, int end, byte[] dst) {
    if (end - p < 4) return -1;
    int type = s32(b, p);
    if (type == 1 && end - p >= 8) {
      BigEndian.ipv4Mapped(b, p + 4, dst);
      return p + 8;
    }
    if (type == 2 && end - p >= 20) {
      BigEndian.ipv6(b, p + 4, dst);
      return p + 20;
    }
    return -1;
  }

  private static boolean gateway(byte[] b, int p, int end, FlowRecord r) {
    int q = address(b, p, end, r.bgpNextHop);
    if (q < 0 || end - q < 16) return false;
    long routerAs = u32(b, q);
    r.srcAs = u32(b, q + 4);
    r.peerSrcAs = u32(b, q + 8);
    long segments = u32(b, q + 12);
    q += 16;
    for (long s = 0; s < segments; s++) {
      if (end - q < 8) return false;
      long count = u32(b, q + 4);
      q += 8;
      if (count > (end - q) / 4) return false;
      for (long i = 0; i < count; i++) {
        long as = u32(b, q);
        if (r.asPathLength < FlowRecord.MAX_AS_PATH) r.asPath[r.asPathLength++] = as;
        q += 4;
      }
    }
    // The last AS of the path is the destination's; an empty path means the router's own AS.
    r.dstAs = r.asPathLength > 0 ? r.asPath[r.asPathLength - 1] : routerAs;
    if (r.asPathLength > 0) r.peerDstAs = r.asPath[0];
    if (end - q < 4) return false;
    long communities = u32(b, q);
    q += 4;
    if (communities > (end - q) / 4) return false;
    for (long i = 0; i < communities; i++) {
      if (r.communityCount < FlowRecord.MAX_COMMUNITIES) r.communities[r.communityCount++] = u32(b, q);
      q += 4;
    }
    return true;
  }
}
