package io.sluice.ingest.collect;

/** The UDP listeners a collector runs, with their IANA ports. The port a datagram arrives on decides how it is read. */
public enum ListenerKind {
  SFLOW("sflow", 6343),
  NETFLOW("netflow", 2055),
  IPFIX("ipfix", 4739);

  private final String label;
  private final int defaultPort;

  ListenerKind(String label, int defaultPort) {
    this.label = label;
    this.defaultPort = defaultPort;
  }

  /** The value of the {@code listener} label in /metrics. */
  public String label() {
    return label;
  }

  public int defaultPort() {
    return defaultPort;
  }
}
