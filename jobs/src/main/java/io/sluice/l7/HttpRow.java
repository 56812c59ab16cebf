package io.sluice.l7;

import java.util.Map;

/**
 * One row of the {@code http} table (sql/011_http.sql): a request and its final response. {@code incomplete}: the
 * capture's snap length hid framing of the request or the response (a start line, the end of the header block, a
 * chunk size), so headers after the cut may be missing and the body sizes are lower bounds.
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
    boolean incomplete) {


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
    return L7Columns.tail(m, responseTimeNs, latencyNs, status);
  }
}
