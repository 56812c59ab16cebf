package io.sluice.decode.flow.sflow;

import static io.sluice.decode.packet.BigEndian.s32;
import static io.sluice.decode.packet.BigEndian.u32;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.flow.OutIfKind;
import io.sluice.decode.flow.RecordKind;
import io.sluice.decode.flow.SequenceTracker;
import io.sluice.decode.packet.BigEndian;
import io.sluice.decode.packet.PacketHeader;

/**
 * sFlow v5 datagrams: flow samples (1, expanded 3) become flow records, counter samples (2,
 * expanded 4) with a generic interface or Ethernet record become interface counters, discard
 * samples (5) are counted. Unknown samples and records are skipped by their length.
 */
public final class SflowDecoder {
  static final long SEQUENCE_KEY = 0x53L << 56;
  private static final int LOCAL_INTERFACE = 0x3FFFFFFF;

  private final FlowSampleDecoder flows = new FlowSampleDecoder();
  private final byte[] agent = new byte[16];

  public void decode(byte[] b, int off, int len, DecodeContext ctx) {
    int end = off + len;
    int p = off + 4;
    if (len < 8) {
      ctx.problem(DecodeProblem.TRUNCATED_HEADER);
      return;
    }
    int addressType = s32(b, p);
    p += 4;
    int addressLength = addressType == 1 ? 4 : addressType == 2 ? 16 : -1;
    if (addressLength < 0) {
      ctx.problem(DecodeProblem.BAD_AGENT_ADDRESS);
      return;
    }
    if (end - p < addressLength + 16) {
      ctx.problem(DecodeProblem.TRUNCATED_HEADER);
      return;
    }
    if (addressLength == 4) BigEndian.ipv4Mapped(b, p, agent);
    else BigEndian.ipv6(b, p, agent);
    p += addressLength;
    long subAgent = u32(b, p);
    long sequence = u32(b, p + 4);
    long samples = u32(b, p + 12);
    p += 16;

    SequenceTracker tracker = ctx.state.sequence(SEQUENCE_KEY | ((long) (agentHash() & 0xFFFFFF) << 32) | subAgent, false);
    if (tracker != null) tracker.observe(sequence, 1);

    for (long i = 0; i < samples && end - p >= 8; i++) {
      int tag = s32(b, p);
      long length = u32(b, p + 4);
      p += 8;
      if (length > end - p) {
        ctx.problem(DecodeProblem.TRUNCATED_SAMPLE);
        return;
      }
      int sampleEnd = p + (int) length;
      if ((tag >>> 12) != 0) {
        ctx.counters.record(RecordKind.SFLOW_UNKNOWN_SAMPLE);
      } else {
        switch (tag & 0xFFF) {
          case 1: flows.decode(b, p, sampleEnd, false, subAgent, sequence, agent, ctx); break;
          case 3: flows.decode(b, p, sampleEnd, true, subAgent, sequence, agent, ctx); break;
          case 2: CounterSampleDecoder.decode(b, p, sampleEnd, false, subAgent, sequence, agent, ctx); break;
          case 4: CounterSampleDecoder.decode(b, p, sampleEnd, true, subAgent, sequence, agent, ctx); break;
          case 5: ctx.counters.record(RecordKind.SFLOW_DISCARD_SAMPLE); break;
          default: ctx.counters.record(RecordKind.SFLOW_UNKNOWN_SAMPLE); break;
        }
      }
      p = sampleEnd;
    }
  }

  private int agentHash() {
    int h = 1;
    for (byte x : agent) h = 31 * h + x;
    return h;
  }

  /** The output interface in sFlow's compact or expanded form: its kind and index. */
  static void outputInterface(FlowRecord r, int format, long value) {
    switch (format) {
      case 0:
        r.outIf = value;
        r.outIfKind = value == LOCAL_INTERFACE ? OutIfKind.LOCAL : OutIfKind.IFINDEX;
        break;
      case 1:
        r.outIf = 0;
        r.outIfKind = OutIfKind.DISCARDED;
        r.forwardingStatus = 128;
        break;
      case 2:
        r.outIf = 0;
        r.outIfKind = OutIfKind.MULTIPLE;
        break;
      default:
        r.outIf = value;
        break;
    }
  }

  static void fromPacket(FlowRecord r, PacketHeader frame, boolean hasSwitch) {
    PacketHeader pk = frame.flowIp();
    r.ipVersion = pk.ipVersion;
    System.arraycopy(pk.srcAddr, 0, r.srcAddr, 0, 16);
    System.arraycopy(pk.dstAddr, 0, r.dstAddr, 0, 16);
    r.protocol = pk.protocol;
    r.srcPort = pk.srcPort;
    r.dstPort = pk.dstPort;
    r.tos = pk.tos;
    r.tcpFlags = pk.tcpFlags;
    r.icmpType = pk.icmpType;
    r.icmpCode = pk.icmpCode;
    r.ipLength = pk.ipTotalLength;
    if (frame.srcMac != 0 || frame.dstMac != 0) {
      r.srcMac = frame.srcMac;
      r.dstMac = frame.dstMac;
    }
    if (!hasSwitch && frame.vlanCount > 0) r.srcVlan = frame.innerVlan;
    int n = Math.min(frame.mplsCount, Math.min(PacketHeader.MAX_MPLS_LABELS, FlowRecord.MAX_MPLS_LABELS));
    if (n > 0) {
      System.arraycopy(frame.mplsLabels, 0, r.mplsLabels, 0, n);
      r.mplsLabelCount = n;
      r.mplsTopLabel = frame.mplsLabels[0];
    }
  }
}
