package io.sluice.l7;

import io.sluice.net.IpAddresses;
import java.util.LinkedHashMap;
import java.util.Map;

/** The columns every L7 row starts and ends with, under their ClickHouse names. */
final class L7Columns {
  private L7Columns() {}

  static Map<String, Object> head(long timeNs, String node, byte[] clientAddr, int clientPort, byte[] serverAddr,
      int serverPort) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", timeNs / 1_000_000_000L);
    m.put("time_ns", timeNs);
    m.put("node", node);
    m.put("client_addr", address(clientAddr));
    m.put("client_port", clientPort);
    m.put("server_addr", address(serverAddr));
    m.put("server_port", serverPort);
    return m;
  }

  /** An address column's text; empty when the row has no address. */
  static String address(byte[] a16) {
    return a16 == null || a16.length != 16 ? "" : IpAddresses.format(a16);
  }

  /** Timing, status, and the process fields, which only the L7Job knows (from socket events): unknown here. */
  static Map<String, Object> tail(Map<String, Object> m, long responseTimeNs, long latencyNs, String status) {
    m.put("response_time_ns", responseTimeNs);
    m.put("latency_ns", latencyNs);
    m.put("status", status);
    m.put("pid", L7Process.NONE.pid());
    m.put("comm", L7Process.NONE.comm());
    m.put("container", L7Process.NONE.container());
    m.put("pod", L7Process.NONE.pod());
    m.put("pod_namespace", L7Process.NONE.podNamespace());
    m.put("cgroup_id", L7Process.NONE.cgroupId());
    return m;
  }
}
