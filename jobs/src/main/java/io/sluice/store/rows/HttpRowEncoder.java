package io.sluice.store.rows;

import io.sluice.decode.l7.http2.Http2StreamRow;
import io.sluice.l7.Http2Columns;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Process;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import java.util.List;
import java.util.stream.Stream;

/** An {@link HttpRow} seen on one node as a row of the {@code http} table (sql/011_http.sql, 013_http_cgroup.sql,
 * 015_http_incomplete.sql, 019_http2_grpc.sql,
 * 023_http_pod.sql). */
public final class HttpRowEncoder implements RowEncoder<HttpRow> {
  public static final List<String> COLUMNS = Stream.concat(ProcessColumns.after(List.of(
      "time", "time_ns", "response_time_ns", "node", "client_addr", "client_port", "server_addr", "server_port",
      "method", "host", "path", "version", "status_code", "request_body_size", "response_body_size", "content_type",
      "user_agent", "latency_ns", "status", "incomplete")).stream(), Http2Columns.NAMES.stream()).toList();

  private final String node;

  public HttpRowEncoder(String node) {
    this.node = node;
  }

  @Override
  public List<String> columns() {
    return COLUMNS;
  }

  @Override
  public void encode(HttpRow r, RowBinary out) {
    encode(r, node, L7Process.NONE, out);
  }

  /** The row with its node and its client's process (L7Process.NONE when unknown). */
  public static void encode(HttpRow r, String node, L7Process process, RowBinary out) {
    out.dateTime(r.timeNs() / 1_000_000_000L).uint64(r.timeNs()).uint64(r.responseTimeNs()).string(node)
        .fixed(r.clientAddr(), 16).uint16(r.clientPort()).fixed(r.serverAddr(), 16).uint16(r.serverPort())
        .string(r.method()).string(r.host()).string(r.path()).string(r.version()).uint16(r.statusCode())
        .uint64(r.requestBodySize()).uint64(r.responseBodySize()).string(r.contentType()).string(r.userAgent())
        .uint64(r.latencyNs()).string(r.status()).uint8(r.incomplete() ? 1 : 0);
    ProcessColumns.write(process, out);
    Http2StreamRow h = r.http2();
    out.uint32(h.streamId()).string(h.scheme()).uint64(h.responseEndNs()).uint32(h.errorCode())
        .uint8(h.pushed() ? 1 : 0).uint8(h.grpc() ? 1 : 0).string(h.grpcService()).string(h.grpcMethod())
        .int16(h.grpcStatus()).string(h.grpcMessage()).uint64(h.grpcRequestMessages())
        .uint64(h.grpcResponseMessages()).uint64(h.grpcTimeoutNs());
  }
}
