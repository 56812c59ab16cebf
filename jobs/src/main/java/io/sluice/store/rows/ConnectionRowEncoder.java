package io.sluice.store.rows;

import io.sluice.conn.ConnectionRow;
import io.sluice.store.sink.RowBinary;
import java.util.List;

/** RowBinary of the {@code connections} table (sql/021_connections.sql), in its column order. */
public final class ConnectionRowEncoder {
  public static final List<String> COLUMNS = List.of("time", "slice_start_ns", "slice_end_ns", "seq", "final", "node",
      "netns", "pid", "comm", "container", "pod", "pod_namespace", "cgroup_id", "transport", "local_addr", "local_port",
      "remote_addr", "remote_port", "direction", "open_ns", "close_ns", "duration_ns", "states", "end_reason", "sk_err",
      "retrans_segs", "rtt_samples", "rtt_min_us", "rtt_avg_us", "rtt_max_us", "bytes_out", "bytes_in", "segs_out",
      "segs_in");

  private ConnectionRowEncoder() {}

  public static void encode(ConnectionRow r, RowBinary out) {
    out.dateTime(Math.floorDiv(r.sliceEndNs(), 1_000_000_000L)).uint64(r.sliceStartNs()).uint64(r.sliceEndNs())
        .uint32(r.seq()).uint8(r.last() ? 1 : 0).string(r.node()).uint64(r.netns()).uint32(r.pid() & 0xffffffffL)
        .string(r.comm()).string(r.container()).string(r.pod()).string(r.podNamespace()).uint64(r.cgroupId())
        .string(r.transport()).fixed(r.localAddr(), 16).uint16(r.localPort()).fixed(r.remoteAddr(), 16)
        .uint16(r.remotePort()).string(r.direction()).uint64(r.openNs()).uint64(r.closeNs())
        .uint64(Math.max(0, r.durationNs())).stringArray(r.states()).string(r.endReason()).uint16(r.skErr())
        .uint32(r.retransSegs()).uint32(r.rttSamples()).uint32(r.rttMinUs()).uint32(r.rttAvgUs())
        .uint32(r.rttMaxUs()).uint64(r.bytesOut()).uint64(r.bytesIn()).uint64(r.segsOut()).uint64(r.segsIn());
  }
}
