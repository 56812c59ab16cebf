package io.sluice.decode.flow.ipfix;

/** The message header fields that data sets need: where they came from and the export clock. */
final class SetHeader {
  boolean ipfix;
  long domain;
  long exportTimeSec;
  /** NetFlow v9 header sysUpTime in ms; -1 for IPFIX. */
  long sysUptimeMs;
  long sequence;
  long receivedNs;

  void set(boolean ipfix, long domain, long exportTimeSec, long sysUptimeMs, long sequence, long receivedNs) {
    this.ipfix = ipfix;
    this.domain = domain;
    this.exportTimeSec = exportTimeSec;
    this.sysUptimeMs = sysUptimeMs;
    this.sequence = sequence;
    this.receivedNs = receivedNs;
  }
}
