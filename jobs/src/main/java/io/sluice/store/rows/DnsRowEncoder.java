package io.sluice.store.rows;

import io.sluice.l7.DnsRow;
import io.sluice.l7.L7Process;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import java.util.List;

/** A {@link DnsRow} seen on one node as a row of the {@code dns} table (sql/010_dns.sql, 012_dns_cgroup.sql,
 * 014_dns_cut_by_capture.sql, 022_dns_pod.sql). */
public final class DnsRowEncoder implements RowEncoder<DnsRow> {
  public static final List<String> COLUMNS = ProcessColumns.after(List.of(
      "time", "time_ns", "response_time_ns", "node", "client_addr", "client_port", "server_addr", "server_port",
      "transport", "id", "qname", "qtype", "qclass", "opcode", "rcode", "query_flags", "response_flags",
      "answer_count", "authority_count", "additional_count", "answers", "edns", "edns_udp_size", "edns_version",
      "edns_do", "ecs_family", "ecs_source_prefix", "ecs_scope_prefix", "ecs_addr", "truncated", "query_size",
      "response_size", "latency_ns", "status", "cut_by_capture"));

  private final String node;

  public DnsRowEncoder(String node) {
    this.node = node;
  }

  @Override
  public List<String> columns() {
    return COLUMNS;
  }

  @Override
  public void encode(DnsRow r, RowBinary out) {
    encode(r, node, L7Process.NONE, out);
  }

  /** The row with its node and its client's process (L7Process.NONE when unknown). */
  public static void encode(DnsRow r, String node, L7Process process, RowBinary out) {
    out.dateTime(r.timeNs() / 1_000_000_000L).uint64(r.timeNs()).uint64(r.responseTimeNs()).string(node)
        .fixed(r.clientAddr(), 16).uint16(r.clientPort()).fixed(r.serverAddr(), 16).uint16(r.serverPort())
        .string(r.transport()).uint16(r.id()).string(r.qname()).uint16(r.qtype()).uint16(r.qclass())
        .uint8(r.opcode()).uint16(r.rcode()).uint16(r.queryFlags()).uint16(r.responseFlags())
        .uint16(r.answerCount()).uint16(r.authorityCount()).uint16(r.additionalCount());
    StringArrays.write(out, r.answers());
    out.uint8(r.edns() ? 1 : 0).uint16(r.ednsUdpSize()).uint8(r.ednsVersion()).uint8(r.ednsDo() ? 1 : 0)
        .uint8(r.ecsFamily()).uint8(r.ecsSourcePrefix()).uint8(r.ecsScopePrefix()).fixed(r.ecsAddr(), 16)
        .uint8(r.truncated() ? 1 : 0).uint32(r.querySize()).uint32(r.responseSize()).uint64(r.latencyNs())
        .string(r.status()).uint8(r.cutByCapture() ? 1 : 0);
    ProcessColumns.write(process, out);
  }
}
