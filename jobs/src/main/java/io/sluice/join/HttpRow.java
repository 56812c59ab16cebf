package io.sluice.join;

import java.util.LinkedHashMap;
import java.util.Map;

/** One row of the {@code http} table (sql/011_http.sql): a request and its final response. */
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
    String status) {

  public static final String ANSWERED = "answered";
  public static final String TIMEOUT = "timeout";
  public static final String UNSOLICITED = "unsolicited";
  /** The capture lost the response (a gap in the server's stream where it should be). */
  public static final String LOST = "lost";

  public Map<String, Object> columns(String node) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", timeNs / 1_000_000_000L);
    m.put("time_ns", timeNs);
    m.put("node", node);
    m.put("client_addr", Addresses.text(clientAddr));
    m.put("client_port", clientPort);
    m.put("server_addr", Addresses.text(serverAddr));
    m.put("server_port", serverPort);
    m.put("method", method);
    m.put("host", host);
    m.put("path", path);
    m.put("version", version);
    m.put("status_code", statusCode);
    m.put("request_body_size", requestBodySize);
    m.put("response_body_size", responseBodySize);
    m.put("content_type", contentType);
    m.put("user_agent", userAgent);
    m.put("response_time_ns", responseTimeNs);
    m.put("latency_ns", latencyNs);
    m.put("status", status);
    m.put("pid", 0);
    m.put("comm", "");
    m.put("container", "");
    return m;
  }
}
