package io.sluice.l7;

import io.sluice.decode.l7.http2.Http2StreamRow;
import java.util.Map;

/**
 * One HTTP/2 stream of a connection, with the connection's ends. Its columns are the {@code http} table's
 * (version "HTTP/2", host = :authority, time_ns = the request's first HEADERS) followed by the HTTP/2 and gRPC
 * ones, which the table does not have yet (issue 17).
 */
public record Http2Row(byte[] clientAddr, int clientPort, byte[] serverAddr, int serverPort, Http2StreamRow stream) {
  public static final String VERSION = "HTTP/2";

  /** The stream as an {@code http} row: what the L7Job stores until the table has the HTTP/2 and gRPC columns. */
  public HttpRow asHttpRow() {
    Http2StreamRow s = stream;
    long timeNs = s.requestNs() != 0 ? s.requestNs() : s.responseNs();
    return new HttpRow(timeNs, clientAddr, clientPort, serverAddr, serverPort, s.method(), s.authority(), s.path(),
        VERSION, s.statusCode(), s.requestBodyBytes(), s.responseBodyBytes(), s.contentType(), s.userAgent(),
        s.responseNs(), s.latencyNs(), s.status(), s.headersIncomplete());
  }

  public Map<String, Object> columns(String node) {
    Http2StreamRow s = stream;
    long timeNs = s.requestNs() != 0 ? s.requestNs() : s.responseNs();
    Map<String, Object> m = L7Columns.head(timeNs, node, clientAddr, clientPort, serverAddr, serverPort);
    m.put("method", s.method());
    m.put("host", s.authority());
    m.put("path", s.path());
    m.put("version", VERSION);
    m.put("status_code", s.statusCode());
    m.put("request_body_size", s.requestBodyBytes());
    m.put("response_body_size", s.responseBodyBytes());
    m.put("content_type", s.contentType());
    m.put("user_agent", s.userAgent());
    L7Columns.tail(m, s.responseNs(), s.latencyNs(), s.status());
    m.put("stream_id", s.streamId());
    m.put("scheme", s.scheme());
    m.put("response_end_ns", s.endNs());
    m.put("error_code", s.errorCode());
    m.put("incomplete", s.headersIncomplete() ? 1 : 0);
    m.put("pushed", s.pushed() ? 1 : 0);
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
