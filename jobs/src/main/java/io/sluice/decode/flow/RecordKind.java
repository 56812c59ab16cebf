package io.sluice.decode.flow;

/** What the decoders met, counted in {@link DecodeCounters}. */
public enum RecordKind {
  FLOW,
  INTERFACE_COUNTERS,
  TEMPLATE,
  OPTIONS_TEMPLATE,
  TEMPLATE_WITHDRAWAL,
  OPTIONS_DATA,
  /** A data set held until its template arrives (counted once per set). */
  DATA_SET_PENDING,
  SFLOW_DISCARD_SAMPLE,
  SFLOW_COUNTER_SAMPLE,
  SFLOW_UNKNOWN_SAMPLE,
  SFLOW_UNKNOWN_RECORD,
  UNKNOWN_SET;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
