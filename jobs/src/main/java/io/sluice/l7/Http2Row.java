package io.sluice.l7;

import io.sluice.decode.l7.http2.Http2StreamRow;
import java.util.Map;

/**
 * One HTTP/2 stream of a connection, with the connection's ends: an {@code http} row with version "HTTP/2",
 * host = :authority, time_ns = the request's first HEADERS, and the HTTP/2 and gRPC columns filled.
 */
public record Http2Row(byte[] clientAddr, int clientPort, byte[] serverAddr, int serverPort, Http2StreamRow stream) {
  public static final String VERSION = "HTTP/2";

  /** The stream as the {@code http} row the L7Job stores. */
  public HttpRow asHttpRow() {
    Http2StreamRow s = stream;
    long timeNs = s.requestNs() != 0 ? s.requestNs() : s.responseTimeNs();
    return new HttpRow(timeNs, clientAddr, clientPort, serverAddr, serverPort, s.method(), s.host(), s.path(),
        VERSION, s.statusCode(), s.requestBodySize(), s.responseBodySize(), s.contentType(), s.userAgent(),
        s.responseTimeNs(), s.latencyNs(), s.status(), s.incomplete(), s);
  }

  public Map<String, Object> columns(String node) {
    return asHttpRow().columns(node);
  }
}
