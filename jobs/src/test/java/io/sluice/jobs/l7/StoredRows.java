package io.sluice.jobs.l7;

import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.store.ClickHouseHttp;
import java.util.HexFormat;
import java.util.List;

/** The dns and http rows of one node as ClickHouse stored them, read back into the row records for comparison. */
final class StoredRows {
  private StoredRows() {}

  static List<DnsRow> dns(ClickHouseHttp db, String node) {
    return db.query("SELECT time_ns, hex(client_addr), client_port, hex(server_addr), server_port, transport, id,"
            + " qname, qtype, qclass, opcode, rcode, query_flags, response_flags, answer_count, authority_count,"
            + " additional_count, edns, edns_udp_size, edns_version, edns_do, ecs_family, ecs_source_prefix,"
            + " ecs_scope_prefix, hex(ecs_addr), truncated, query_size, response_size, response_time_ns, latency_ns,"
            + " status, cut_by_capture FROM dns WHERE node = '" + node + "' ORDER BY time_ns, id")
        .rows().stream().map(c -> new DnsRow(l(c, 0), addr(c, 1), i(c, 2), addr(c, 3), i(c, 4), c.get(5), i(c, 6),
            c.get(7), i(c, 8), i(c, 9), i(c, 10), i(c, 11), i(c, 12), i(c, 13), i(c, 14), i(c, 15), i(c, 16), List.of(),
            i(c, 17) == 1, i(c, 18), i(c, 19), i(c, 20) == 1, i(c, 21), i(c, 22), i(c, 23), addr(c, 24), i(c, 25) == 1,
            i(c, 26), i(c, 27), l(c, 28), l(c, 29), c.get(30), i(c, 31) == 1))
        .toList();
  }

  static List<HttpRow> http(ClickHouseHttp db, String node) {
    return db.query("SELECT time_ns, hex(client_addr), client_port, hex(server_addr), server_port, method, host, path,"
            + " version, status_code, request_body_size, response_body_size, content_type, user_agent,"
            + " response_time_ns, latency_ns, status, incomplete FROM http WHERE node = '" + node + "' ORDER BY time_ns")
        .rows().stream().map(c -> new HttpRow(l(c, 0), addr(c, 1), i(c, 2), addr(c, 3), i(c, 4), c.get(5), c.get(6),
            c.get(7), c.get(8), i(c, 9), l(c, 10), l(c, 11), c.get(12), c.get(13), l(c, 14), l(c, 15), c.get(16), i(c, 17) == 1))
        .toList();
  }

  private static long l(List<String> c, int i) {
    return Long.parseUnsignedLong(c.get(i));
  }

  private static int i(List<String> c, int i) {
    return Integer.parseInt(c.get(i));
  }

  private static byte[] addr(List<String> c, int i) {
    return HexFormat.of().parseHex(c.get(i));
  }
}
