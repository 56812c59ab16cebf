package io.sluice.decode.flow;

/**
 * The one place every decoded flow record passes before the caller's sink, whatever the protocol:
 *
 * <ul>
 *   <li>a record with no address and no counter says nothing (an IPFIX template of one 1-byte field gives 65,000 of
 *       them per datagram): counted as {@link DecodeProblem#EMPTY_RECORD}, not passed on;
 *   <li>an exporter time (flow end, else start) more than {@link #MAX_PAST_SECONDS} before or {@link
 *       #MAX_FUTURE_SECONDS} after the receive time is not believed (NetFlow v5 with {@code unix_secs=0}, IPFIX
 *       times in 2106 or beyond, and real exporters with clocks hours or years off): the record is counted in its
 *       receive second and as {@link DecodeProblem#TIME_OUT_OF_RANGE}; {@code flow_start_ms}/{@code flow_end_ms}
 *       keep what the exporter said (negative ones become 0, not given). Rows dated 1970 would vanish at
 *       the first TTL merge, rows in the far future would never expire, and each adds a partition.
 * </ul>
 */
final class RecordGate implements FlowSink {
  /** Active timeouts are minutes and exporters buffer little: an hour covers both, with clock skew. */
  static final long MAX_PAST_SECONDS = 3_600;
  /** Flows do not end after they are exported: the future allows only for clock skew. */
  static final long MAX_FUTURE_SECONDS = 300;

  private FlowSink next;
  private DecodeCounters counters;
  private long receivedSeconds;

  FlowSink around(FlowSink next, DecodeCounters counters, long receivedNs) {
    this.next = next;
    this.counters = counters;
    this.receivedSeconds = Math.floorDiv(receivedNs, 1_000_000_000L);
    return this;
  }

  @Override
  public void flow(FlowRecord r) {
    if (r.sampledBytes == 0 && r.sampledPackets == 0 && isZero(r.srcAddr) && isZero(r.dstAddr)) {
      counters.problem(DecodeProblem.EMPTY_RECORD);
      return;
    }
    if (r.time < receivedSeconds - MAX_PAST_SECONDS || r.time > receivedSeconds + MAX_FUTURE_SECONDS) {
      counters.problem(DecodeProblem.TIME_OUT_OF_RANGE);
      r.time = receivedSeconds;
    }
    // The exporter's own times stay as it sent them (they show how wrong its clock is), but never below 0.
    r.flowStartMs = Math.max(0, r.flowStartMs);
    r.flowEndMs = Math.max(0, r.flowEndMs);
    next.flow(r);
  }

  @Override
  public void interfaceCounters(InterfaceCounters c) {
    next.interfaceCounters(c);
  }

  private static boolean isZero(byte[] addr) {
    for (byte b : addr) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
