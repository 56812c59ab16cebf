package io.sluice.decode.flow;

/** Why (part of) a datagram could not be decoded. Counted in {@link DecodeCounters}, never thrown. */
public enum DecodeProblem {
  NOT_A_FLOW_DATAGRAM("not a NetFlow v5/v9, IPFIX or sFlow v5 datagram"),
  UNEXPECTED_PROTOCOL("datagram of another flow protocol than the listener expects (e.g. NetFlow on the sFlow port)"),
  UNSUPPORTED_VERSION("NetFlow version not supported (v1, v7, v8)"),
  TRUNCATED_HEADER("datagram shorter than its header"),
  BAD_LENGTH("IPFIX message length disagrees with the datagram"),
  TRUNCATED_RECORDS("datagram ends before the records its header announces"),
  BAD_SET("flowset with an invalid id or length"),
  BAD_TEMPLATE("template or options template that cannot be valid"),
  TEMPLATE_LIMIT("template dropped: the exporter's template table is full"),
  NO_TEMPLATE_DROPPED("data set dropped: its template did not arrive in time"),
  PENDING_OVERFLOW("data set awaiting its template dropped: the waiting room is full"),
  BAD_RECORD("data record whose fields do not fit its set"),
  SAMPLER_LIMIT("sampling rate dropped: the exporter's sampler table is full"),
  NAME_LIMIT("interface or VRF name dropped: the exporter's name table is full"),
  BAD_AGENT_ADDRESS("sFlow agent address of unknown type"),
  TRUNCATED_SAMPLE("sFlow sample longer than the datagram"),
  TRUNCATED_FLOW_RECORD("sFlow flow or counter record longer than its sample"),
  UNDECODED_PACKET_HEADER("sFlow sampled header or datalink frame with no IP header decoded"),
  PACKET_NESTING_TOO_DEEP("sampled header nesting more pseudowires than the packet parser follows"),
  DECODER_EXCEPTION("datagram whose decoding threw (a decoder bug): skipped, the exporter's state kept"),
  TIME_OUT_OF_RANGE("exporter timestamp too far from the receive time: the receive time is used"),
  EMPTY_RECORD("record with no addresses and no counters: not stored"),
  RECORD_BUDGET_EXCEEDED("record over the exporter's records-per-second budget: not stored");

  private final String description;

  DecodeProblem(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /** The snake_case reason used in summaries and JSON. */
  public String reason() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
