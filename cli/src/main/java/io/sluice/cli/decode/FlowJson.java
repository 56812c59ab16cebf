package io.sluice.cli.decode;

import io.sluice.decode.flow.FlowRecord;
import io.sluice.net.IpAddresses;
import java.time.Instant;

/**
 * One flow record as a JSON object whose keys are the ClickHouse {@code flows} column names, except
 * {@code ingest_batch}, which the ClickHouse sink assigns.
 */
final class FlowJson {
  private FlowJson() {}

  static String of(FlowRecord r) {
    StringBuilder b = new StringBuilder(1024).append('{');
    str(b, "time", Instant.ofEpochSecond(r.time).toString());
    num(b, "flow_start_ms", r.flowStartMs);
    num(b, "flow_end_ms", r.flowEndMs);
    num(b, "received_ns", r.receivedNs);
    str(b, "flow_type", r.flowType.column());
    str(b, "exporter_addr", IpAddresses.clickHouseText(r.exporterAddr));
    str(b, "exporter_name", r.exporterName);
    str(b, "site", r.site);
    num(b, "observation_domain", r.observationDomain);
    num(b, "sequence", r.sequence);
    num(b, "in_if", r.inIf);
    num(b, "out_if", r.outIf);
    str(b, "in_if_name", r.inIfName);
    str(b, "out_if_name", r.outIfName);
    str(b, "out_if_kind", r.outIfKind.column());
    num(b, "direction", r.direction);
    str(b, "src_addr", IpAddresses.clickHouseText(r.srcAddr));
    str(b, "dst_addr", IpAddresses.clickHouseText(r.dstAddr));
    num(b, "src_port", r.srcPort);
    num(b, "dst_port", r.dstPort);
    num(b, "protocol", r.protocol);
    num(b, "tcp_flags", r.tcpFlags);
    num(b, "tos", r.tos);
    num(b, "icmp_type", r.icmpType);
    num(b, "icmp_code", r.icmpCode);
    num(b, "src_as", r.srcAs);
    num(b, "dst_as", r.dstAs);
    b.append("\"as_path\":[");
    for (int i = 0; i < r.asPathLength; i++) b.append(i == 0 ? "" : ",").append(r.asPath[i]);
    b.append("],\"communities\":[");
    for (int i = 0; i < r.communityCount; i++) b.append(i == 0 ? "" : ",").append(r.communities[i]);
    b.append("],");
    num(b, "src_mask", r.srcMask);
    num(b, "dst_mask", r.dstMask);
    str(b, "next_hop", IpAddresses.clickHouseText(r.nextHop));
    str(b, "bgp_next_hop", IpAddresses.clickHouseText(r.bgpNextHop));
    num(b, "src_vlan", r.srcVlan);
    num(b, "dst_vlan", r.dstVlan);
    num(b, "src_mac", r.srcMac);
    num(b, "dst_mac", r.dstMac);
    num(b, "mpls_top_label", r.mplsTopLabel);
    b.append("\"mpls_labels\":[");
    for (int i = 0; i < r.mplsLabelCount; i++) b.append(i == 0 ? "" : ",").append(r.mplsLabels[i]);
    b.append("],");
    num(b, "forwarding_status", r.forwardingStatus);
    num(b, "flow_end_reason", r.flowEndReason);
    str(b, "post_nat_src_addr", IpAddresses.clickHouseText(r.postNatSrcAddr));
    str(b, "post_nat_dst_addr", IpAddresses.clickHouseText(r.postNatDstAddr));
    num(b, "post_nat_src_port", r.postNatSrcPort);
    num(b, "post_nat_dst_port", r.postNatDstPort);
    str(b, "tunnel_src_addr", IpAddresses.clickHouseText(r.tunnelSrcAddr));
    str(b, "tunnel_dst_addr", IpAddresses.clickHouseText(r.tunnelDstAddr));
    num(b, "tunnel_protocol", r.tunnelProtocol);
    num(b, "in_vrf_id", r.inVrfId);
    num(b, "out_vrf_id", r.outVrfId);
    str(b, "in_vrf_name", r.inVrfName);
    str(b, "out_vrf_name", r.outVrfName);
    num(b, "sampler_id", r.samplerId);
    num(b, "sampled_bytes", r.sampledBytes);
    num(b, "sampled_packets", r.sampledPackets);
    num(b, "sampling_rate", r.samplingRate);
    str(b, "sampling_rate_source", r.samplingRateSource.column());
    num(b, "est_bytes", r.estBytes);
    b.append("\"est_packets\":").append(r.estPackets);
    return b.append('}').toString();
  }

  private static void num(StringBuilder b, String key, long v) {
    b.append('"').append(key).append("\":").append(v).append(',');
  }

  private static void str(StringBuilder b, String key, String v) {
    b.append('"').append(key).append("\":\"");
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    b.append("\",");
  }
}
