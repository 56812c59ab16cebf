package io.sluice.l7;

import io.sluice.decode.l7.http2.Http2StreamRow;
import java.util.List;
import java.util.Map;

/**
 * The {@code http} table's HTTP/2 and gRPC columns (sql/019_http2_grpc.sql), under their ClickHouse names, from an
 * {@link Http2StreamRow}. An HTTP/1.x row carries {@link #HTTP1}: the columns' defaults (0, empty, grpc_status -1).
 */
public final class Http2Columns {
  public static final List<String> NAMES = List.of("stream_id", "scheme", "response_end_ns", "error_code", "pushed",
      "grpc", "grpc_service", "grpc_method", "grpc_status", "grpc_message", "grpc_request_messages",
      "grpc_response_messages", "grpc_timeout_ns");

  /** No HTTP/2 stream: what an HTTP/1.x row stores in these columns. */
  public static final Http2StreamRow HTTP1 = new Http2StreamRow(0, "", "", "", "", 0, "", "", 0, 0, 0, 0, 0, "", 0,
      false, false, false, "", "", -1, "", 0, 0, 0);

  private Http2Columns() {}

  static Map<String, Object> put(Map<String, Object> m, Http2StreamRow s) {
    m.put("stream_id", s.streamId());
    m.put("scheme", s.scheme());
    m.put("response_end_ns", s.responseEndNs());
    m.put("error_code", s.errorCode());
    m.put("pushed", s.pushed() ? 1 : 0);
    m.put("grpc", s.grpc() ? 1 : 0);
    m.put("grpc_service", s.grpcService());
    m.put("grpc_method", s.grpcMethod());
    m.put("grpc_status", s.grpcStatus());
    m.put("grpc_message", s.grpcMessage());
    m.put("grpc_request_messages", s.grpcRequestMessages());
    m.put("grpc_response_messages", s.grpcResponseMessages());
    m.put("grpc_timeout_ns", s.grpcTimeoutNs());
    return m;
  }
}
