package io.sluice.store.rows;

import io.sluice.decode.flow.FlowRecord;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import java.util.List;

import static io.sluice.store.sink.RowEncoder.has;

/** A {@link FlowRecord} as a row of the {@code flows} table (sql/001_flows.sql). */
public final class FlowRowEncoder implements RowEncoder<FlowRecord> {
  private static final List<String> COLUMNS = List.of(
      "time", "flow_start_ms", "flow_end_ms", "received_ns", "flow_type", "exporter_addr", "exporter_name", "site",
      "observation_domain", "sequence", "in_if", "out_if", "in_if_name", "out_if_name", "out_if_kind", "direction",
      "src_addr", "dst_addr", "src_port", "dst_port", "protocol", "tcp_flags", "tos", "icmp_type", "icmp_code",
      "src_as", "dst_as", "as_path", "communities", "src_mask", "dst_mask", "next_hop", "bgp_next_hop", "src_vlan",
      "dst_vlan", "src_mac", "dst_mac", "mpls_top_label", "mpls_labels", "forwarding_status", "flow_end_reason",
      "post_nat_src_addr", "post_nat_dst_addr", "post_nat_src_port", "post_nat_dst_port", "tunnel_src_addr", "tunnel_dst_addr", "tunnel_protocol", "in_vrf_id", "out_vrf_id", "in_vrf_name", "out_vrf_name", "sampler_id",
      "sampled_bytes", "sampled_packets", "sampling_rate", "sampling_rate_source", "est_bytes", "est_packets");

  @Override
  public List<String> columns() {
    return COLUMNS;
  }

  @Override
  public void encode(FlowRecord r, RowBinary out) {
    encode(r, out, ALL_COLUMNS);
  }

  /**
   * Most records leave half of the 59 columns at their defaults (a NetFlow or IPFIX record has no MACs, VLANs, MPLS,
   * NAT, tunnel or VRF): staging only the filled ones cuts ClickHouse's cost per row (BENCHMARKS.md, "Fewer columns").
   */
  @Override
  public long filledColumns(FlowRecord r) {
    long m = 0;
    if (r.time != 0) {
      m |= 1L << 0;
    }
    if (r.flowStartMs != 0) {
      m |= 1L << 1;
    }
    if (r.flowEndMs != 0) {
      m |= 1L << 2;
    }
    if (r.receivedNs != 0) {
      m |= 1L << 3;
    }
    if (r.flowType != null && !r.flowType.column().isEmpty()) {
      m |= 1L << 4;
    }
    if (nonZero(r.exporterAddr)) {
      m |= 1L << 5;
    }
    if (nonEmpty(r.exporterName)) {
      m |= 1L << 6;
    }
    if (nonEmpty(r.site)) {
      m |= 1L << 7;
    }
    if (r.observationDomain != 0) {
      m |= 1L << 8;
    }
    if (r.sequence != 0) {
      m |= 1L << 9;
    }
    if (r.inIf != 0) {
      m |= 1L << 10;
    }
    if (r.outIf != 0) {
      m |= 1L << 11;
    }
    if (nonEmpty(r.inIfName)) {
      m |= 1L << 12;
    }
    if (nonEmpty(r.outIfName)) {
      m |= 1L << 13;
    }
    if (!r.outIfKind.column().isEmpty()) {
      m |= 1L << 14;
    }
    if (r.direction != 0) {
      m |= 1L << 15;
    }
    if (nonZero(r.srcAddr)) {
      m |= 1L << 16;
    }
    if (nonZero(r.dstAddr)) {
      m |= 1L << 17;
    }
    if (r.srcPort != 0) {
      m |= 1L << 18;
    }
    if (r.dstPort != 0) {
      m |= 1L << 19;
    }
    if (r.protocol != 0) {
      m |= 1L << 20;
    }
    if (r.tcpFlags != 0) {
      m |= 1L << 21;
    }
    if (r.tos != 0) {
      m |= 1L << 22;
    }
    if (r.icmpType != 0) {
      m |= 1L << 23;
    }
    if (r.icmpCode != 0) {
      m |= 1L << 24;
    }
    if (r.srcAs != 0) {
      m |= 1L << 25;
    }
    if (r.dstAs != 0) {
      m |= 1L << 26;
    }
    if (r.asPathLength != 0) {
      m |= 1L << 27;
    }
    if (r.communityCount != 0) {
      m |= 1L << 28;
    }
    if (r.srcMask != 0) {
      m |= 1L << 29;
    }
    if (r.dstMask != 0) {
      m |= 1L << 30;
    }
    if (nonZero(r.nextHop)) {
      m |= 1L << 31;
    }
    if (nonZero(r.bgpNextHop)) {
      m |= 1L << 32;
    }
    if (r.srcVlan != 0) {
      m |= 1L << 33;
    }
    if (r.dstVlan != 0) {
      m |= 1L << 34;
    }
    if (r.srcMac != 0) {
      m |= 1L << 35;
    }
    if (r.dstMac != 0) {
      m |= 1L << 36;
    }
    if (r.mplsTopLabel != 0) {
      m |= 1L << 37;
    }
    if (r.mplsLabelCount != 0) {
      m |= 1L << 38;
    }
    if (r.forwardingStatus != 0) {
      m |= 1L << 39;
    }
    if (r.flowEndReason != 0) {
      m |= 1L << 40;
    }
    if (nonZero(r.postNatSrcAddr)) {
      m |= 1L << 41;
    }
    if (nonZero(r.postNatDstAddr)) {
      m |= 1L << 42;
    }
    if (r.postNatSrcPort != 0) {
      m |= 1L << 43;
    }
    if (r.postNatDstPort != 0) {
      m |= 1L << 44;
    }
    if (nonZero(r.tunnelSrcAddr)) {
      m |= 1L << 45;
    }
    if (nonZero(r.tunnelDstAddr)) {
      m |= 1L << 46;
    }
    if (r.tunnelProtocol != 0) {
      m |= 1L << 47;
    }
    if (r.inVrfId != 0) {
      m |= 1L << 48;
    }
    if (r.outVrfId != 0) {
      m |= 1L << 49;
    }
    if (nonEmpty(r.inVrfName)) {
      m |= 1L << 50;
    }
    if (nonEmpty(r.outVrfName)) {
      m |= 1L << 51;
    }
    if (r.samplerId != 0) {
      m |= 1L << 52;
    }
    if (r.sampledBytes != 0) {
      m |= 1L << 53;
    }
    if (r.sampledPackets != 0) {
      m |= 1L << 54;
    }
    if (r.samplingRate != 0) {
      m |= 1L << 55;
    }
    if (!r.samplingRateSource.column().isEmpty()) {
      m |= 1L << 56;
    }
    if (r.estBytes != 0) {
      m |= 1L << 57;
    }
    if (r.estPackets != 0) {
      m |= 1L << 58;
    }
    return m;
  }

  @Override
  public void encode(FlowRecord r, RowBinary out, long columns) {
    if (has(columns, 0)) {
      out.dateTime(r.time);
    }
    if (has(columns, 1)) {
      out.uint64(r.flowStartMs);
    }
    if (has(columns, 2)) {
      out.uint64(r.flowEndMs);
    }
    if (has(columns, 3)) {
      out.uint64(r.receivedNs);
    }
    if (has(columns, 4)) {
      string(out, 4, r.flowType == null ? "" : r.flowType.column());
    }
    if (has(columns, 5)) {
      out.fixed(r.exporterAddr, 16);
    }
    if (has(columns, 6)) {
      string(out, 6, r.exporterName);
    }
    if (has(columns, 7)) {
      string(out, 7, r.site);
    }
    if (has(columns, 8)) {
      out.uint32(r.observationDomain);
    }
    if (has(columns, 9)) {
      out.uint32(r.sequence);
    }
    if (has(columns, 10)) {
      out.uint32(r.inIf);
    }
    if (has(columns, 11)) {
      out.uint32(r.outIf);
    }
    if (has(columns, 12)) {
      string(out, 12, r.inIfName);
    }
    if (has(columns, 13)) {
      string(out, 13, r.outIfName);
    }
    if (has(columns, 14)) {
      string(out, 14, r.outIfKind.column());
    }
    if (has(columns, 15)) {
      out.uint8(r.direction);
    }
    if (has(columns, 16)) {
      out.fixed(r.srcAddr, 16);
    }
    if (has(columns, 17)) {
      out.fixed(r.dstAddr, 16);
    }
    if (has(columns, 18)) {
      out.uint16(r.srcPort);
    }
    if (has(columns, 19)) {
      out.uint16(r.dstPort);
    }
    if (has(columns, 20)) {
      out.uint8(r.protocol);
    }
    if (has(columns, 21)) {
      out.uint8(r.tcpFlags);
    }
    if (has(columns, 22)) {
      out.uint8(r.tos);
    }
    if (has(columns, 23)) {
      out.uint8(r.icmpType);
    }
    if (has(columns, 24)) {
      out.uint8(r.icmpCode);
    }
    if (has(columns, 25)) {
      out.uint32(r.srcAs);
    }
    if (has(columns, 26)) {
      out.uint32(r.dstAs);
    }
    if (has(columns, 27)) {
      out.uint32Array(r.asPath, r.asPathLength);
    }
    if (has(columns, 28)) {
      out.uint32Array(r.communities, r.communityCount);
    }
    if (has(columns, 29)) {
      out.uint8(r.srcMask);
    }
    if (has(columns, 30)) {
      out.uint8(r.dstMask);
    }
    if (has(columns, 31)) {
      out.fixed(r.nextHop, 16);
    }
    if (has(columns, 32)) {
      out.fixed(r.bgpNextHop, 16);
    }
    if (has(columns, 33)) {
      out.uint16(r.srcVlan);
    }
    if (has(columns, 34)) {
      out.uint16(r.dstVlan);
    }
    if (has(columns, 35)) {
      out.uint64(r.srcMac);
    }
    if (has(columns, 36)) {
      out.uint64(r.dstMac);
    }
    if (has(columns, 37)) {
      out.uint32(r.mplsTopLabel);
    }
    if (has(columns, 38)) {
      out.uint32Array(r.mplsLabels, r.mplsLabelCount);
    }
    if (has(columns, 39)) {
      out.uint8(r.forwardingStatus);
    }
    if (has(columns, 40)) {
      out.uint8(r.flowEndReason);
    }
    if (has(columns, 41)) {
      out.fixed(r.postNatSrcAddr, 16);
    }
    if (has(columns, 42)) {
      out.fixed(r.postNatDstAddr, 16);
    }
    if (has(columns, 43)) {
      out.uint16(r.postNatSrcPort);
    }
    if (has(columns, 44)) {
      out.uint16(r.postNatDstPort);
    }
    if (has(columns, 45)) {
      out.fixed(r.tunnelSrcAddr, 16);
    }
    if (has(columns, 46)) {
      out.fixed(r.tunnelDstAddr, 16);
    }
    if (has(columns, 47)) {
      out.uint8(r.tunnelProtocol);
    }
    if (has(columns, 48)) {
      out.uint32(r.inVrfId);
    }
    if (has(columns, 49)) {
      out.uint32(r.outVrfId);
    }
    if (has(columns, 50)) {
      string(out, 50, r.inVrfName);
    }
    if (has(columns, 51)) {
      string(out, 51, r.outVrfName);
    }
    if (has(columns, 52)) {
      out.uint64(r.samplerId);
    }
    if (has(columns, 53)) {
      out.uint64(r.sampledBytes);
    }
    if (has(columns, 54)) {
      out.uint64(r.sampledPackets);
    }
    if (has(columns, 55)) {
      out.uint32(r.samplingRate);
    }
    if (has(columns, 56)) {
      string(out, 56, r.samplingRateSource.column());
    }
    if (has(columns, 57)) {
      out.uint64(r.estBytes);
    }
    if (has(columns, 58)) {
      out.uint64(r.estPackets);
    }
  }

  /**
   * The string columns repeat the same few strings row after row (the exporter's name and site, the enums' names),
   * so each column keeps the last one it wrote, encoded: a row copies those bytes instead of writing the string
   * char by char (which was 15 % of the decode thread's samples in the TaskManager's profile).
   */
  private transient Encoded[] lastStrings;

  /** A string and its RowBinary bytes; immutable, so a slot read by two threads is never half updated. */
  private record Encoded(String value, byte[] bytes) {}

  private void string(RowBinary out, int column, String s) {
    Encoded[] last = lastStrings;
    if (last == null) {
      last = new Encoded[COLUMNS.size()];
      lastStrings = last;
    }
    Encoded e = last[column];
    if (e == null || s == null || (e.value != s && !e.value.equals(s))) {
      if (s == null) {
        out.string(null);
        return;
      }
      e = new Encoded(s, new RowBinary(s.length() + 8).string(s).toByteArray());
      last[column] = e;
    }
    out.raw(e.bytes);
  }

  private static boolean nonEmpty(String s) {
    return s != null && !s.isEmpty();
  }

  private static final java.lang.invoke.VarHandle LONG =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** An address (16 bytes) in two 8-byte reads: a record has eight, most of them all zero. */
  private static boolean nonZero(byte[] b) {
    if (b.length == 16) {
      return ((long) LONG.get(b, 0) | (long) LONG.get(b, 8)) != 0;
    }
    for (byte x : b) {
      if (x != 0) {
        return true;
      }
    }
    return false;
  }
}
