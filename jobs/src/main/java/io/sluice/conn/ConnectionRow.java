package io.sluice.conn;

import java.util.List;

/**
 * One row of the {@code connections} table (sql/021_connections.sql): a slice of a lifetime. Additive fields count
 * the slice only; {@code last} marks the lifetime's final row, which alone has a close and an end reason.
 */
public record ConnectionRow(String node, long netns, int pid, String comm, String container, String pod,
    String podNamespace, long cgroupId, int protocol, byte[] localAddr, int localPort, byte[] remoteAddr, int remotePort,
    String direction, long openNs, long closeNs, long sliceStartNs, long sliceEndNs, int seq, boolean last,
    List<String> states, String endReason, int skErr, long retransSegs, int rttSamples, int rttMinUs, int rttAvgUs,
    int rttMaxUs, long bytesOut, long bytesIn, long segsOut, long segsIn) {

  public String transport() {
    return protocol == 6 ? "tcp" : protocol == 17 ? "udp" : Integer.toString(protocol);
  }

  public long durationNs() {
    return (last && closeNs > 0 ? closeNs : sliceEndNs) - openNs;
  }
}
