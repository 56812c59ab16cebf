package io.sluice.l7;

import io.sluice.decode.l7.http2.Http2StreamRow;
import java.util.Map;

/**
 * One row of the {@code http} table (sql/011_http.sql): a request and its final response. {@code incomplete}: the
 * capture's snap length hid framing of the request or the response (a start line, the end of the header block, a
 * chunk size), or an HTTP/2 header field could not be recovered, so headers after the cut may be missing and the
 * body sizes are lower bounds. {@code http2}: the stream's HTTP/2 and gRPC columns (sql/019_http2_grpc.sql);
 * {@link Http2Columns#HTTP1} for an HTTP/1.x exchange.
 */
public record HttpRow(
    long timeNs,
    byte[] clientAddr,
    int clientPort,
    byte[] serverAddr,
    int serverPort,
    String method,
    String host,
    String path,
    String version,
    int statusCode,
    long requestBodySize,
    long responseBodySize,
    String contentType,
    String userAgent,
    long responseTimeNs,
    long latencyNs,
    String status,
    boolean incomplete,
    Http2StreamRow http2) {

  public HttpRow {
    if (http2 == null) {
      http2 = Http2Columns.HTTP1;
    }
  }

  /** An HTTP/1.x exchange. */
  public HttpRow(long timeNs, byte[] clientAddr, int clientPort, byte[] serverAddr, int serverPort, String method,
      String host, String path, String version, int statusCode, long requestBodySize, long responseBodySize,
      String contentType, String userAgent, long responseTimeNs, long latencyNs, String status, boolean incomplete) {
    this(timeNs, clientAddr, clientPort, serverAddr, serverPort, method, host, path, version, statusCode,
        requestBodySize, responseBodySize, contentType, userAgent, responseTimeNs, latencyNs, status, incomplete,
        Http2Columns.HTTP1);
  }

  public Map<String, Object> columns(String node) {
    Map<String, Object> m = L7Columns.head(timeNs, node, clientAddr, clientPort, serverAddr, serverPort);
    m.put("method", method);
    m.put("host", host);
    m.put("path", path);
    m.put("version", version);
    m.put("status_code", statusCode);
    m.put("request_body_size", requestBodySize);
    m.put("response_body_size", responseBodySize);
    m.put("content_type", contentType);
    m.put("user_agent", userAgent);
    m.put("incomplete", incomplete ? 1 : 0);
    L7Columns.tail(m, responseTimeNs, latencyNs, status);
    return Http2Columns.put(m, http2);
  }
}
