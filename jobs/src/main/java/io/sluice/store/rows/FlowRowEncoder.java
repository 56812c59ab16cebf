package io.sluice.store.rows;

import io.sluice.decode.flow.FlowRecord;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import java.util.List;

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
    out.dateTime(r.time).uint64(r.flowStartMs).uint64(r.flowEndMs).uint64(r.receivedNs)
        .string(r.flowType == null ? "" : r.flowType.column())
        .fixed(r.exporterAddr, 16).string(r.exporterName).string(r.site)
        .uint32(r.observationDomain).uint32(r.sequence).uint32(r.inIf).uint32(r.outIf)
        .string(r.inIfName).string(r.outIfName).string(r.outIfKind.column()).uint8(r.direction)
        .fixed(r.srcAddr, 16).fixed(r.dstAddr, 16).uint16(r.srcPort).uint16(r.dstPort)
        .uint8(r.protocol).uint8(r.tcpFlags).uint8(r.tos).uint8(r.icmpType).uint8(r.icmpCode)
        .uint32(r.srcAs).uint32(r.dstAs);
    out.uint32Array(r.asPath, r.asPathLength).uint32Array(r.communities, r.communityCount);
    out.uint8(r.srcMask).uint8(r.dstMask).fixed(r.nextHop, 16).fixed(r.bgpNextHop, 16)
        .uint16(r.srcVlan).uint16(r.dstVlan).uint64(r.srcMac).uint64(r.dstMac)
        .uint32(r.mplsTopLabel).uint32Array(r.mplsLabels, r.mplsLabelCount)
        .uint8(r.forwardingStatus).uint8(r.flowEndReason)
        .fixed(r.postNatSrcAddr, 16).fixed(r.postNatDstAddr, 16).uint16(r.postNatSrcPort).uint16(r.postNatDstPort)
        .fixed(r.tunnelSrcAddr, 16).fixed(r.tunnelDstAddr, 16).uint8(r.tunnelProtocol)
        .uint32(r.inVrfId).uint32(r.outVrfId).string(r.inVrfName).string(r.outVrfName)
        .uint64(r.samplerId).uint64(r.sampledBytes).uint64(r.sampledPackets).uint32(r.samplingRate)
        .string(r.samplingRateSource.column()).uint64(r.estBytes).uint64(r.estPackets);
  }
}
