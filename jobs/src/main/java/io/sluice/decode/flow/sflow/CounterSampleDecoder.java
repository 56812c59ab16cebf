package io.sluice.decode.flow.sflow;

import static io.sluice.decode.packet.BigEndian.s32;
import static io.sluice.decode.packet.BigEndian.u32;
import static io.sluice.decode.packet.BigEndian.u64;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.InterfaceCounters;
import io.sluice.decode.flow.RecordKind;

/** sFlow counter samples: the generic interface (1) and Ethernet (2) records become {@link InterfaceCounters}. */
final class CounterSampleDecoder {
  private static final int GENERIC_LENGTH = 88;
  private static final int ETHERNET_LENGTH = 52;

  private CounterSampleDecoder() {}

  static void decode(byte[] b, int p, int end, boolean expanded, long subAgent, long sequence, byte[] agent, DecodeContext ctx) {
    ctx.counters.record(RecordKind.SFLOW_COUNTER_SAMPLE);
    int fixed = expanded ? 16 : 12;
    if (end - p < fixed) {
      ctx.problem(DecodeProblem.TRUNCATED_SAMPLE);
      return;
    }
    InterfaceCounters c = ctx.interfaceCounters;
    c.reset();
    c.receivedNs = ctx.receivedNs;
    c.time = Math.floorDiv(ctx.receivedNs, 1_000_000_000L);
    System.arraycopy(ctx.exporterAddr, 0, c.exporterAddr, 0, 16);
    System.arraycopy(agent, 0, c.agentAddr, 0, 16);
    c.observationDomain = subAgent;
    c.sequence = sequence;
    c.sampleSequence = u32(b, p);
    long records = u32(b, p + fixed - 4);
    p += fixed;
    for (long i = 0; i < records && end - p >= 8; i++) {
      int tag = s32(b, p);
      long length = u32(b, p + 4);
      p += 8;
      if (length > end - p) {
        ctx.problem(DecodeProblem.TRUNCATED_FLOW_RECORD);
        break;
      }
      if (tag == 1 && length >= GENERIC_LENGTH) generic(b, p, c);
      else if (tag == 2 && length >= ETHERNET_LENGTH) ethernet(b, p, c);
      else ctx.counters.record(RecordKind.SFLOW_UNKNOWN_RECORD);
      p += (int) length;
    }
    if (c.hasGeneric || c.hasEthernet) {
      ctx.counters.record(RecordKind.INTERFACE_COUNTERS);
      ctx.sink.interfaceCounters(c);
    }
  }

  private static void generic(byte[] b, int p, InterfaceCounters c) {
    c.hasGeneric = true;
    c.ifIndex = u32(b, p);
    c.ifType = u32(b, p + 4);
    c.ifSpeed = u64(b, p + 8);
    c.ifDirection = u32(b, p + 16);
    c.ifStatus = u32(b, p + 20);
    c.ifInOctets = u64(b, p + 24);
    c.ifInUcastPkts = u32(b, p + 32);
    c.ifInMulticastPkts = u32(b, p + 36);
    c.ifInBroadcastPkts = u32(b, p + 40);
    c.ifInDiscards = u32(b, p + 44);
    c.ifInErrors = u32(b, p + 48);
    c.ifInUnknownProtos = u32(b, p + 52);
    c.ifOutOctets = u64(b, p + 56);
    c.ifOutUcastPkts = u32(b, p + 64);
    c.ifOutMulticastPkts = u32(b, p + 68);
    c.ifOutBroadcastPkts = u32(b, p + 72);
    c.ifOutDiscards = u32(b, p + 76);
    c.ifOutErrors = u32(b, p + 80);
    c.ifPromiscuousMode = u32(b, p + 84);
  }

  private static void ethernet(byte[] b, int p, InterfaceCounters c) {
    c.hasEthernet = true;
    c.dot3AlignmentErrors = u32(b, p);
    c.dot3FcsErrors = u32(b, p + 4);
    c.dot3SingleCollisionFrames = u32(b, p + 8);
    c.dot3MultipleCollisionFrames = u32(b, p + 12);
    c.dot3SqeTestErrors = u32(b, p + 16);
    c.dot3DeferredTransmissions = u32(b, p + 20);
    c.dot3LateCollisions = u32(b, p + 24);
    c.dot3ExcessiveCollisions = u32(b, p + 28);
    c.dot3InternalMacTransmitErrors = u32(b, p + 32);
    c.dot3CarrierSenseErrors = u32(b, p + 36);
    c.dot3FrameTooLongs = u32(b, p + 40);
    c.dot3InternalMacReceiveErrors = u32(b, p + 44);
    c.dot3SymbolErrors = u32(b, p + 48);
  }
}
