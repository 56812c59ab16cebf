package io.sluice.l7;

/** Where joined rows go: a collector offline, a Flink collector in the L7Job. */
public interface L7Sink {
  void dns(DnsRow row);

  void http(HttpRow row);

  /** An HTTP/2 stream; sinks that do not store them yet ignore it. */
  default void http2(Http2Row row) {}

  /** A TLS handshake; sinks that do not store them yet ignore it. */
  default void tls(TlsRow row) {}
}
