package io.sluice.decode.flow;

/** Where a record's sampling rate came from; {@link #column()} is {@code sampling_rate_source}. */
public enum SamplingRateSource {
  /** The datagram itself: sFlow sample, NetFlow v5 header, or the data record's own fields. */
  PACKET("packet"),
  /** A NetFlow v9/IPFIX options data record. */
  OPTIONS("options"),
  /** The exporter's configured default, used when the exporter said nothing. */
  CONFIGURED("configured"),
  /** The exporter's configured override, which wins over anything the exporter said. */
  OVERRIDE("override"),
  UNKNOWN("unknown");

  private final String column;

  SamplingRateSource(String column) {
    this.column = column;
  }

  public String column() {
    return column;
  }
}
