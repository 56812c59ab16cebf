package io.sluice.store.rows;

import io.sluice.decode.flow.InterfaceCounters;
import io.sluice.store.sink.RowBinary;
import java.util.List;

/** An sFlow counter sample as a row of {@code interface_counters} (sql/003_exporter_stats.sql). */
public final class InterfaceCountersEncoder {
  public static final List<String> COLUMNS = List.of("time", "exporter_addr", "exporter_name", "site", "if_index",
      "if_name", "if_type", "if_speed", "if_direction", "if_admin_up", "if_oper_up", "in_octets", "in_ucast_pkts",
      "in_multicast_pkts", "in_broadcast_pkts", "in_discards", "in_errors", "in_unknown_protos", "out_octets",
      "out_ucast_pkts", "out_multicast_pkts", "out_broadcast_pkts", "out_discards", "out_errors", "promiscuous",
      "has_ethernet", "dot3_alignment_errors", "dot3_fcs_errors", "dot3_late_collisions", "dot3_frame_too_longs");

  private InterfaceCountersEncoder() {}

  /** ifStatus bit 0 is admin up, bit 1 oper up (sFlow generic interface counters, RFC 2233 semantics). */
  public static byte[] encode(InterfaceCounters c, String exporterName, String site, String ifName) {
    RowBinary out = new RowBinary(256);
    out.dateTime(c.time).fixed(c.exporterAddr, 16).string(exporterName).string(site)
        .uint32(c.ifIndex).string(ifName).uint32(c.ifType).uint64(c.ifSpeed).uint8((int) c.ifDirection)
        .uint8((int) (c.ifStatus & 1)).uint8((int) ((c.ifStatus >> 1) & 1))
        .uint64(c.ifInOctets).uint64(c.ifInUcastPkts).uint64(c.ifInMulticastPkts).uint64(c.ifInBroadcastPkts)
        .uint64(c.ifInDiscards).uint64(c.ifInErrors).uint64(c.ifInUnknownProtos)
        .uint64(c.ifOutOctets).uint64(c.ifOutUcastPkts).uint64(c.ifOutMulticastPkts).uint64(c.ifOutBroadcastPkts)
        .uint64(c.ifOutDiscards).uint64(c.ifOutErrors).uint8((int) c.ifPromiscuousMode)
        .uint8(c.hasEthernet ? 1 : 0).uint64(c.dot3AlignmentErrors).uint64(c.dot3FcsErrors)
        .uint64(c.dot3LateCollisions).uint64(c.dot3FrameTooLongs);
    return out.toByteArray();
  }
}
