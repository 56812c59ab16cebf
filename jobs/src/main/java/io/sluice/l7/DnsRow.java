package io.sluice.l7;

import java.util.List;
import java.util.Map;

/**
 * One row of the {@code dns} table (sql/010_dns.sql): a query and its response, a query that timed out, or a
 * response without a query. Fields of the missing side are 0 or empty. {@code cutByCapture}: the capture's snap
 * length cut the query or the response, so fields from its uncaptured part (answers, EDNS) may be missing.
 */
public record DnsRow(
    long timeNs,
    byte[] clientAddr,
    int clientPort,
    byte[] serverAddr,
    int serverPort,
    String transport,
    int id,
    String qname,
    int qtype,
    int qclass,
    int opcode,
    int rcode,
    int queryFlags,
    int responseFlags,
    int answerCount,
    int authorityCount,
    int additionalCount,
    List<String> answers,
    boolean edns,
    int ednsUdpSize,
    int ednsVersion,
    boolean ednsDo,
    int ecsFamily,
    int ecsSourcePrefix,
    int ecsScopePrefix,
    byte[] ecsAddr,
    boolean truncated,
    int querySize,
    int responseSize,
    long responseTimeNs,
    long latencyNs,
    String status,
    boolean cutByCapture) {


  /** The row under its ClickHouse column names. Process fields (pid, comm, container, pod, ...) are unknown offline. */
  public Map<String, Object> columns(String node) {
    Map<String, Object> m = L7Columns.head(timeNs, node, clientAddr, clientPort, serverAddr, serverPort);
    m.put("transport", transport);
    m.put("id", id);
    m.put("qname", qname);
    m.put("qtype", qtype);
    m.put("qclass", qclass);
    m.put("opcode", opcode);
    m.put("rcode", rcode);
    m.put("query_flags", queryFlags);
    m.put("response_flags", responseFlags);
    m.put("answer_count", answerCount);
    m.put("authority_count", authorityCount);
    m.put("additional_count", additionalCount);
    m.put("answers", answers);
    m.put("edns", edns ? 1 : 0);
    m.put("edns_udp_size", ednsUdpSize);
    m.put("edns_version", ednsVersion);
    m.put("edns_do", ednsDo ? 1 : 0);
    m.put("ecs_family", ecsFamily);
    m.put("ecs_source_prefix", ecsSourcePrefix);
    m.put("ecs_scope_prefix", ecsScopePrefix);
    m.put("ecs_addr", L7Columns.address(ecsAddr));
    m.put("truncated", truncated ? 1 : 0);
    m.put("query_size", querySize);
    m.put("response_size", responseSize);
    m.put("cut_by_capture", cutByCapture ? 1 : 0);
    return L7Columns.tail(m, responseTimeNs, latencyNs, status);
  }
}
