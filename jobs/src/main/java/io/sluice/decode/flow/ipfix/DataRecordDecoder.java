package io.sluice.decode.flow.ipfix;

import static io.sluice.decode.packet.BigEndian.u16;
import static io.sluice.decode.packet.BigEndian.u24;
import static io.sluice.decode.packet.BigEndian.u8;
import static io.sluice.decode.packet.BigEndian.uN;

import io.sluice.decode.flow.DecodeContext;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.flow.RecordKind;
import io.sluice.decode.flow.SamplingRates;
import io.sluice.decode.packet.BigEndian;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;

/**
 * Decodes the records of a NetFlow v9 or IPFIX data set with their template: flow records go to
 * the sink, options records update the exporter's sampling rates. One instance per decoder thread.
 */
final class DataRecordDecoder {
  private static final long NTP_TO_UNIX_SECONDS = 2_208_988_800L;

  private final RecordFields f = new RecordFields();
  // The acted-on fields of the current record of a template with variable-length fields.
  private final byte[] usedActions = new byte[Template.MAX_FIELDS];
  private final int[] usedElements = new int[Template.MAX_FIELDS];
  private final int[] usedOffsets = new int[Template.MAX_FIELDS];
  private final int[] usedLengths = new int[Template.MAX_FIELDS];

  /** Decodes the set body {@code [p, end)}: the number of records, trailing padding ignored. */
  int decode(byte[] b, int p, int end, Template t, SetHeader h, DecodeContext ctx) {
    if (t.minRecordLength == 0) {
      ctx.problem(DecodeProblem.BAD_TEMPLATE);
      return 0;
    }
    if (t.fixedPlan != null) return decodeFixed(b, p, end, t, h, ctx);
    int[] lengths = t.lengths;
    byte[] actions = t.actions;
    int n = lengths.length;
    int records = 0;
    FlowType type = h.ipfix ? FlowType.IPFIX : FlowType.NETFLOW9;
    while (end - p >= t.minRecordLength) {
      FlowRecord r = ctx.newRecord(type, h.domain, h.sequence);
      f.reset();
      int start = p;
      int used = 0;
      boolean truncated = false;
      for (int i = 0; i < n; i++) {
        int len = lengths[i];
        if (len == Template.VARIABLE_LENGTH) {
          if (p >= end) {
            truncated = true;
            break;
          }
          len = u8(b, p++);
          if (len == 255) {
            if (end - p < 2) {
              truncated = true;
              break;
            }
            len = u16(b, p);
            p += 2;
          }
        }
        if (end - p < len) {
          truncated = true;
          break;
        }
        if (len > 0 && actions[i] != FieldAction.SKIP) {
          usedActions[used] = actions[i];
          usedElements[used] = t.elements[i];
          usedOffsets[used] = p - start;
          usedLengths[used] = len;
          used++;
        }
        p += len;
      }
      // The fields before a truncated one are still applied, as they were read: their problems count.
      fields(b, start, usedActions, usedElements, usedOffsets, usedLengths, used, r, ctx);
      if (truncated) return bad(ctx, records);
      records++;
      complete(b, r, t, h, ctx);
    }
    return records;
  }

  /** {@link #decode} for a template without variable-length fields: one length check per record. */
  private int decodeFixed(byte[] b, int p, int end, Template t, SetHeader h, DecodeContext ctx) {
    FixedRecordPlan plan = t.fixedPlan;
    int length = plan.recordLength;
    byte[] actions = plan.actions;
    int[] elements = plan.elements;
    int[] offsets = plan.offsets;
    int[] lengths = plan.lengths;
    int n = actions.length;
    int records = 0;
    FlowType type = h.ipfix ? FlowType.IPFIX : FlowType.NETFLOW9;
    while (end - p >= length) {
      FlowRecord r = ctx.newRecord(type, h.domain, h.sequence);
      f.reset();
      fields(b, p, actions, elements, offsets, lengths, n, r, ctx);
      p += length;
      records++;
      complete(b, r, t, h, ctx);
    }
    return records;
  }

  /** After a record's fields: an options record updates the rates, a flow record goes to the sink. */
  private void complete(byte[] b, FlowRecord r, Template t, SetHeader h, DecodeContext ctx) {
    if (t.options) {
      options(b, r, h, ctx);
    } else {
      finish(b, r, h, ctx);
      ctx.counters.record(RecordKind.FLOW);
      ctx.sink.flow(r);
    }
  }

  private static int bad(DecodeContext ctx, int records) {
    ctx.problem(DecodeProblem.BAD_RECORD);
    return records;
  }

  /**
   * Applies one record's acted-on fields in template order; field i is {@code lengths[i]} bytes at
   * {@code base + offsets[i]}, already bounds-checked. One call per record: the dispatch stays in this loop.
   */
  private void fields(byte[] b, int base, byte[] actions, int[] elements, int[] offsets, int[] lengths, int n,
      FlowRecord r, DecodeContext ctx) {
    RecordFields f = this.f;
    for (int i = 0; i < n; i++) {
      int p = base + offsets[i];
      int len = lengths[i];
      switch (actions[i]) {
        case FieldAction.BYTES_DELTA: f.bytesDelta = uN(b, p, len); f.has |= RecordFields.BYTES_DELTA; break;
        case FieldAction.PACKETS_DELTA: f.packetsDelta = uN(b, p, len); f.has |= RecordFields.PACKETS_DELTA; break;
        case FieldAction.BYTES_TOTAL: f.bytesTotal = uN(b, p, len); f.has |= RecordFields.BYTES_TOTAL; break;
        case FieldAction.PACKETS_TOTAL: f.packetsTotal = uN(b, p, len); f.has |= RecordFields.PACKETS_TOTAL; break;
        case FieldAction.BYTES_POST: f.bytesPost = uN(b, p, len); f.has |= RecordFields.BYTES_POST; break;
        case FieldAction.PACKETS_POST: f.packetsPost = uN(b, p, len); f.has |= RecordFields.PACKETS_POST; break;
        case FieldAction.INITIATOR_OCTETS: f.bytesInitiator = uN(b, p, len); f.has |= RecordFields.BYTES_INIT_RESP; break;
        case FieldAction.RESPONDER_OCTETS: f.bytesResponder = uN(b, p, len); f.has |= RecordFields.BYTES_INIT_RESP; break;
        case FieldAction.INITIATOR_PACKETS: f.packetsInitiator = uN(b, p, len); f.has |= RecordFields.PACKETS_INIT_RESP; break;
        case FieldAction.RESPONDER_PACKETS: f.packetsResponder = uN(b, p, len); f.has |= RecordFields.PACKETS_INIT_RESP; break;
        case FieldAction.PROTOCOL: r.protocol = (int) uN(b, p, len) & 0xFF; f.has |= RecordFields.PROTOCOL; break;
        case FieldAction.TOS: r.tos = (int) uN(b, p, len) & 0xFF; f.has |= RecordFields.TOS; break;
        case FieldAction.DSCP: f.dscp = (int) uN(b, p, len) & 0x3F; break;
        case FieldAction.TCP_FLAGS: r.tcpFlags = (int) uN(b, p, len) & 0xFF; f.has |= RecordFields.TCP_FLAGS; break;
        case FieldAction.SRC_PORT: r.srcPort = (int) uN(b, p, len) & 0xFFFF; f.has |= RecordFields.PORTS; break;
        case FieldAction.DST_PORT: r.dstPort = (int) uN(b, p, len) & 0xFFFF; f.has |= RecordFields.PORTS; break;
        case FieldAction.SRC_ADDR4: if (len == 4) f.src4 = p; break;
        case FieldAction.DST_ADDR4: if (len == 4) f.dst4 = p; break;
        case FieldAction.SRC_ADDR6: if (len == 16) f.src6 = p; break;
        case FieldAction.DST_ADDR6: if (len == 16) f.dst6 = p; break;
        case FieldAction.SRV6_ACTIVE_SEGMENT: if (len == 16) f.srv6Sid = p; break;
        case FieldAction.IN_VRF: r.inVrfId = uN(b, p, len); f.has |= RecordFields.IN_VRF; break;
        case FieldAction.OUT_VRF: r.outVrfId = uN(b, p, len); f.has |= RecordFields.OUT_VRF; break;
        case FieldAction.INTERFACE_NAME: f.ifNameOff = p; f.ifNameLen = len; break;
        case FieldAction.INTERFACE_DESCRIPTION: f.ifDescOff = p; f.ifDescLen = len; break;
        case FieldAction.VRF_NAME: f.vrfNameOff = p; f.vrfNameLen = len; break;
        case FieldAction.IP_VERSION: f.ipVersion = (int) uN(b, p, len) & 0xFF; break;
        case FieldAction.NEXT_HEADER6: f.nextHeader6 = (int) uN(b, p, len) & 0xFF; f.has |= RecordFields.NEXT_HEADER6; break;
        case FieldAction.SRC_MASK: case FieldAction.SRC_MASK6: r.srcMask = (int) uN(b, p, len) & 0xFF; break;
        case FieldAction.DST_MASK: case FieldAction.DST_MASK6: r.dstMask = (int) uN(b, p, len) & 0xFF; break;
        case FieldAction.IN_IF: r.inIf = uN(b, p, len); f.has |= RecordFields.IN_IF; break;
        case FieldAction.OUT_IF: r.outIf = uN(b, p, len); f.has |= RecordFields.OUT_IF; break;
        case FieldAction.IN_PHYSICAL_IF: f.inPhysical = uN(b, p, len); break;
        case FieldAction.OUT_PHYSICAL_IF: f.outPhysical = uN(b, p, len); break;
        case FieldAction.NEXT_HOP4: if (len == 4) BigEndian.ipv4Mapped(b, p, r.nextHop); break;
        case FieldAction.BGP_NEXT_HOP4: if (len == 4) BigEndian.ipv4Mapped(b, p, r.bgpNextHop); break;
        case FieldAction.NEXT_HOP6: if (len == 16 && !BigEndian.isZero16(b, p)) BigEndian.ipv6(b, p, r.nextHop); break;
        case FieldAction.BGP_NEXT_HOP6: if (len == 16 && !BigEndian.isZero16(b, p)) BigEndian.ipv6(b, p, r.bgpNextHop); break;
        case FieldAction.SRC_AS: r.srcAs = uN(b, p, len); break;
        case FieldAction.DST_AS: r.dstAs = uN(b, p, len); break;
        case FieldAction.END_UPTIME: f.endUptime = uN(b, p, len); break;
        case FieldAction.START_UPTIME: f.startUptime = uN(b, p, len); break;
        case FieldAction.START_SECONDS: f.startMs = uN(b, p, len) * 1000; break;
        case FieldAction.END_SECONDS: f.endMs = uN(b, p, len) * 1000; break;
        case FieldAction.START_MILLIS: f.startMs = uN(b, p, len); break;
        case FieldAction.END_MILLIS: f.endMs = uN(b, p, len); break;
        case FieldAction.START_MICROS: case FieldAction.START_NANOS: if (len == 8) f.startMs = ntpMillis(b, p); break;
        case FieldAction.END_MICROS: case FieldAction.END_NANOS: if (len == 8) f.endMs = ntpMillis(b, p); break;
        case FieldAction.START_DELTA_MICROS: f.startDeltaUs = uN(b, p, len); break;
        case FieldAction.END_DELTA_MICROS: f.endDeltaUs = uN(b, p, len); break;
        case FieldAction.SYSTEM_INIT_MILLIS: f.systemInitMs = uN(b, p, len); f.has |= RecordFields.SYSTEM_INIT; break;
        case FieldAction.ICMP_TYPE_CODE: {
          int v = (int) uN(b, p, len);
          r.icmpType = (v >>> 8) & 0xFF;
          r.icmpCode = v & 0xFF;
          f.has |= RecordFields.ICMP;
          break;
        }
        case FieldAction.ICMP_TYPE: r.icmpType = (int) uN(b, p, len) & 0xFF; f.has |= RecordFields.ICMP; break;
        case FieldAction.ICMP_CODE: r.icmpCode = (int) uN(b, p, len) & 0xFF; f.has |= RecordFields.ICMP; break;
        case FieldAction.SRC_MAC: if (len == 6) { r.srcMac = BigEndian.u48(b, p); f.has |= RecordFields.MAC; } break;
        case FieldAction.DST_MAC: if (len == 6) { r.dstMac = BigEndian.u48(b, p); f.has |= RecordFields.MAC; } break;
        case FieldAction.SRC_VLAN: r.srcVlan = (int) uN(b, p, len) & 0xFFF; f.has |= RecordFields.VLAN; break;
        case FieldAction.DST_VLAN: r.dstVlan = (int) uN(b, p, len) & 0xFFF; break;
        case FieldAction.DIRECTION: r.direction = (int) uN(b, p, len) & 0xFF; break;
        case FieldAction.MPLS_LABEL:
          if (len >= 3 && r.mplsLabelCount < FlowRecord.MAX_MPLS_LABELS) {
            int label = u24(b, p) >>> 4;
            if (elements[i] == 70) r.mplsTopLabel = label;
            if (label != 0 || elements[i] == 70) r.mplsLabels[r.mplsLabelCount++] = label;
          }
          break;
        case FieldAction.FORWARDING_STATUS: r.forwardingStatus = (int) uN(b, p, len) & 0xFF; break;
        case FieldAction.FLOW_END_REASON: r.flowEndReason = (int) uN(b, p, len) & 0xFF; break;
        case FieldAction.POST_NAT_SRC4: if (len == 4) BigEndian.ipv4Mapped(b, p, r.postNatSrcAddr); break;
        case FieldAction.POST_NAT_DST4: if (len == 4) BigEndian.ipv4Mapped(b, p, r.postNatDstAddr); break;
        case FieldAction.POST_NAT_SRC6: if (len == 16) BigEndian.ipv6(b, p, r.postNatSrcAddr); break;
        case FieldAction.POST_NAT_DST6: if (len == 16) BigEndian.ipv6(b, p, r.postNatDstAddr); break;
        case FieldAction.POST_NAT_SRC_PORT: r.postNatSrcPort = (int) uN(b, p, len) & 0xFFFF; break;
        case FieldAction.POST_NAT_DST_PORT: r.postNatDstPort = (int) uN(b, p, len) & 0xFFFF; break;
        case FieldAction.SAMPLING_INTERVAL: f.samplingInterval = uN(b, p, len); break;
        case FieldAction.SAMPLER_RANDOM_INTERVAL: f.samplerRandomInterval = uN(b, p, len); break;
        case FieldAction.SAMPLING_PACKET_INTERVAL: f.packetInterval = uN(b, p, len); break;
        case FieldAction.SAMPLING_PACKET_SPACE: f.packetSpace = uN(b, p, len); break;
        case FieldAction.SAMPLING_SIZE: f.samplingSize = uN(b, p, len); break;
        case FieldAction.SAMPLING_POPULATION: f.samplingPopulation = uN(b, p, len); break;
        case FieldAction.SAMPLING_PROBABILITY:
          if (len == 8) f.samplingProbability = Double.longBitsToDouble(BigEndian.u64(b, p));
          else if (len == 4) f.samplingProbability = Float.intBitsToFloat(BigEndian.s32(b, p));
          break;
        case FieldAction.SAMPLER_ID: f.samplerId = uN(b, p, len); f.has |= RecordFields.SAMPLER; break;
        case FieldAction.SELECTOR_ID: f.selectorId = uN(b, p, len); f.has |= RecordFields.SELECTOR; break;
        case FieldAction.DATALINK_FRAME_SECTION:
          if (PacketParser.parseEthernet(b, p, len, ctx.packet)) f.has |= RecordFields.DATALINK;
          else ctx.problem(DecodeProblem.UNDECODED_PACKET_HEADER);
          break;
        default:
          break;
      }
    }
  }

  /** An NTP-format timestamp (IPFIX dateTimeMicroseconds/Nanoseconds) in Unix ms. */
  private static long ntpMillis(byte[] b, int p) {
    long seconds = BigEndian.u32(b, p);
    long fraction = BigEndian.u32(b, p + 4);
    return (seconds - NTP_TO_UNIX_SECONDS) * 1000 + ((fraction * 1000) >>> 32);
  }

  private void finish(byte[] b, FlowRecord r, SetHeader h, DecodeContext ctx) {
    RecordFields f = this.f;
    CarriedHeader.choose(b, f, r);
    if (f.has(RecordFields.DATALINK)) fromFrame(r, ctx.packet);
    if (f.has(RecordFields.BYTES_DELTA)) r.sampledBytes = f.bytesDelta;
    else if (f.has(RecordFields.BYTES_TOTAL)) r.sampledBytes = f.bytesTotal;
    else if (f.has(RecordFields.BYTES_INIT_RESP)) r.sampledBytes = f.bytesInitiator + f.bytesResponder;
    else if (f.has(RecordFields.BYTES_POST)) r.sampledBytes = f.bytesPost;
    else if (f.has(RecordFields.DATALINK)) r.sampledBytes = ctx.packet.flowIp().ipTotalLength;
    if (f.has(RecordFields.PACKETS_DELTA)) r.sampledPackets = f.packetsDelta;
    else if (f.has(RecordFields.PACKETS_TOTAL)) r.sampledPackets = f.packetsTotal;
    else if (f.has(RecordFields.PACKETS_INIT_RESP)) r.sampledPackets = f.packetsInitiator + f.packetsResponder;
    else if (f.has(RecordFields.PACKETS_POST)) r.sampledPackets = f.packetsPost;
    else if (f.has(RecordFields.DATALINK)) r.sampledPackets = 1;

    if (!f.has(RecordFields.TOS) && f.dscp != 0) r.tos = f.dscp << 2;
    if (!f.has(RecordFields.IN_IF)) r.inIf = f.inPhysical;
    if (!f.has(RecordFields.OUT_IF)) r.outIf = f.outPhysical;
    if (!f.has(RecordFields.ICMP) && (r.protocol == 1 || r.protocol == 58)) {
      // Exporters without ICMP fields put type*256+code in the destination port.
      r.icmpType = r.dstPort >>> 8;
      r.icmpCode = r.dstPort & 0xFF;
    }
    OptionNames.apply(r, ctx.state.names());
    times(r, h);
    r.samplerId = f.has(RecordFields.SAMPLER) ? f.samplerId : 0;
    r.selectorId = f.selectorId;
    boolean hasSampler = f.has(RecordFields.SAMPLER) || f.has(RecordFields.SELECTOR);
    long sampler = f.has(RecordFields.SAMPLER) ? f.samplerId : f.selectorId;
    ctx.state.applySampling(r, f.ownRate(), hasSampler, sampler);
  }

  private void times(FlowRecord r, SetHeader h) {
    RecordFields f = this.f;
    long exportMs = h.exportTimeSec * 1000;
    long start = f.startMs;
    long end = f.endMs;
    if (!h.ipfix) {
      if (start == 0 && f.startUptime >= 0) start = exportMs - (int) (h.sysUptimeMs - f.startUptime);
      if (end == 0 && f.endUptime >= 0) end = exportMs - (int) (h.sysUptimeMs - f.endUptime);
    } else if (f.has(RecordFields.SYSTEM_INIT)) {
      if (start == 0 && f.startUptime >= 0) start = f.systemInitMs + f.startUptime;
      if (end == 0 && f.endUptime >= 0) end = f.systemInitMs + f.endUptime;
    }
    if (start == 0 && f.startDeltaUs >= 0) start = exportMs - f.startDeltaUs / 1000;
    if (end == 0 && f.endDeltaUs >= 0) end = exportMs - f.endDeltaUs / 1000;
    r.flowStartMs = Math.max(0, start);
    r.flowEndMs = Math.max(0, end);
    if (r.flowEndMs > 0) r.time = r.flowEndMs / 1000;
  }

  /** Fills what the record's own fields did not give from its embedded frame (IE 315). */
  private void fromFrame(FlowRecord r, PacketHeader frame) {
    RecordFields f = this.f;
    PacketHeader pk = frame.flowIp();
    if (pk != frame && r.tunnelProtocol == 0) {
      // IP in IP (SRv6, 6in4, IPIP): the row is the inner packet's, the outer header the tunnel's.
      System.arraycopy(frame.srcAddr, 0, r.tunnelSrcAddr, 0, 16);
      System.arraycopy(frame.dstAddr, 0, r.tunnelDstAddr, 0, 16);
      r.tunnelProtocol = frame.protocol;
    }
    if (!f.has(RecordFields.SRC_ADDR)) {
      System.arraycopy(pk.srcAddr, 0, r.srcAddr, 0, 16);
      r.ipVersion = pk.ipVersion;
    }
    if (!f.has(RecordFields.DST_ADDR)) System.arraycopy(pk.dstAddr, 0, r.dstAddr, 0, 16);
    if (!f.has(RecordFields.PROTOCOL)) r.protocol = pk.protocol;
    if (!f.has(RecordFields.PORTS)) {
      r.srcPort = pk.srcPort;
      r.dstPort = pk.dstPort;
    }
    if (!f.has(RecordFields.TOS)) r.tos = pk.tos;
    if (!f.has(RecordFields.TCP_FLAGS)) r.tcpFlags = pk.tcpFlags;
    if (!f.has(RecordFields.ICMP) && (pk.protocol == 1 || pk.protocol == 58)) {
      r.icmpType = pk.icmpType;
      r.icmpCode = pk.icmpCode;
      f.has |= RecordFields.ICMP;
    }
    if (!f.has(RecordFields.VLAN)) r.srcVlan = frame.innerVlan;
    if (!f.has(RecordFields.MAC)) {
      r.srcMac = frame.srcMac;
      r.dstMac = frame.dstMac;
    }
    if (r.mplsLabelCount == 0 && frame.mplsCount > 0) {
      int n = Math.min(frame.mplsCount, Math.min(PacketHeader.MAX_MPLS_LABELS, FlowRecord.MAX_MPLS_LABELS));
      System.arraycopy(frame.mplsLabels, 0, r.mplsLabels, 0, n);
      r.mplsLabelCount = n;
      r.mplsTopLabel = frame.mplsLabels[0];
    }
    r.ipLength = pk.ipTotalLength;
  }

  /** An options data record: remember the sampling rate and the names it announces. */
  private void options(byte[] b, FlowRecord r, SetHeader h, DecodeContext ctx) {
    ctx.counters.record(RecordKind.OPTIONS_DATA);
    OptionNames.remember(b, f, r, ctx);
    long rate = f.ownRate();
    if (rate <= 0) return;
    long sampler = f.has(RecordFields.SAMPLER) ? f.samplerId
        : f.has(RecordFields.SELECTOR) ? f.selectorId : SamplingRates.NO_SAMPLER;
    if (!ctx.state.samplingRates().put(h.domain, sampler, rate)) ctx.problem(DecodeProblem.SAMPLER_LIMIT);
  }
}
