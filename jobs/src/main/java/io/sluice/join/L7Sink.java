package io.sluice.join;

/** Where joined rows go: a collector offline, a Flink collector in the L7Job. */
public interface L7Sink {
  void dns(DnsRow row);

  void http(HttpRow row);
}
