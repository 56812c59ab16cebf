package io.sluice.decode.flow.netflow;

import static io.sluice.decode.packet.BigEndian.u16;
import static io.sluice.decode.packet.BigEndian.u32;
import static io.sluice.decode.packet.BigEndian.u8;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.flow.RecordKind;
import io.sluice.decode.flow.SequenceTracker;
import io.sluice.decode.packet.BigEndian;

/**
 * NetFlow v5: a 24-byte header and up to 30 records of 48 bytes. The header's last 16 bits carry
 * the sampling mode (2 bits) and interval (14 bits); the observation domain is engine type and id.
 */
public final class NetflowV5Decoder {
  static final int HEADER = 24;
  static final int RECORD = 48;
  /** Sequence tracker keys: the protocol in the top bits, then the domain. */
  static final long SEQUENCE_KEY = 5L << 56;

  private NetflowV5Decoder() {}

  public static void decode(byte[] b, int off, int len, DecodeContext ctx) {
    if (len < HEADER) {
      ctx.problem(DecodeProblem.TRUNCATED_HEADER);
      return;
    }
    int count = u16(b, off + 2);
    long sysUptime = u32(b, off + 4);
    long unixSecs = u32(b, off + 8);
    long unixNanos = u32(b, off + 12);
    long sequence = u32(b, off + 16);
    long domain = (u8(b, off + 20) << 8) | u8(b, off + 21);
    int sampling = u16(b, off + 22);
    long rate = sampling & 0x3FFF;
    int available = (len - HEADER) / RECORD;
    if (count > available) {
      ctx.problem(DecodeProblem.TRUNCATED_RECORDS);
      count = available;
    }
    SequenceTracker tracker = ctx.state.sequence(SEQUENCE_KEY | domain, true);
    if (tracker != null) tracker.observe(sequence, count);
    long exportMs = unixSecs * 1000 + unixNanos / 1_000_000;
    for (int i = 0; i < count; i++) {
      int p = off + HEADER + i * RECORD;
      FlowRecord r = ctx.newRecord(FlowType.NETFLOW5, domain, sequence);
      r.ipVersion = 4;
      BigEndian.ipv4Mapped(b, p, r.srcAddr);
      BigEndian.ipv4Mapped(b, p + 4, r.dstAddr);
      BigEndian.ipv4Mapped(b, p + 8, r.nextHop);
      r.inIf = u16(b, p + 12);
      r.outIf = u16(b, p + 14);
      r.sampledPackets = u32(b, p + 16);
      r.sampledBytes = u32(b, p + 20);
      r.flowStartMs = exportMs - (int) (sysUptime - u32(b, p + 24));
      r.flowEndMs = exportMs - (int) (sysUptime - u32(b, p + 28));
      r.time = Math.floorDiv(r.flowEndMs, 1000);
      r.srcPort = u16(b, p + 32);
      r.dstPort = u16(b, p + 34);
      r.tcpFlags = u8(b, p + 37);
      r.protocol = u8(b, p + 38);
      r.tos = u8(b, p + 39);
      r.srcAs = u16(b, p + 40);
      r.dstAs = u16(b, p + 42);
      r.srcMask = u8(b, p + 44);
      r.dstMask = u8(b, p + 45);
      if (r.protocol == 1) {
        // v5 has no ICMP fields: exporters put type*256+code in the destination port.
        r.icmpType = r.dstPort >>> 8;
        r.icmpCode = r.dstPort & 0xFF;
      }
      ctx.state.applySampling(r, rate, false, 0);
      ctx.counters.record(RecordKind.FLOW);
      ctx.sink.flow(r);
    }
  }
}
