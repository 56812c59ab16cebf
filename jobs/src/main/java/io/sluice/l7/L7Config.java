package io.sluice.l7;

import java.util.Set;

/**
 * Limits and timeouts of the L7 parse-and-join. All times are event time (capture timestamps).
 *
 * @param dnsTimeoutNs a query unanswered this long becomes a {@code timeout} row
 * @param httpTimeoutNs a request unanswered this long becomes a {@code timeout} row
 * @param tcpIdleNs a connection silent this long is evicted (its pending requests time out)
 * @param fragmentTimeoutNs an incomplete IP datagram is dropped after this long
 * @param maxConnections conversations (address/port pairs with a connection or pending queries) tracked at once
 *     offline; a new one beyond is counted ({@code tcp_table_full}) and closed at once. The L7Job keeps
 *     conversations in keyed state instead, bounded by their timeouts.
 * @param maxPendingDns DNS queries awaiting an answer at once on one conversation
 * @param maxFragmentedDatagrams IP datagrams being reassembled at once
 * @param memoryBudgetBytes bytes all reassembly buffers together may hold
 */
public record L7Config(
    long dnsTimeoutNs,
    long httpTimeoutNs,
    long tcpIdleNs,
    long fragmentTimeoutNs,
    int maxConnections,
    int maxPendingDns,
    int maxFragmentedDatagrams,
    long memoryBudgetBytes,
    Set<Integer> dnsPorts,
    Set<Integer> httpPorts) {

  private static final long SECOND = 1_000_000_000L;

  /**
   * How far capture times may go back: event time (the watermark) trails the latest capture time by this much,
   * offline as in the L7Job, so a packet up to this late still comes before the timeouts it could prevent.
   */
  public static final long OUT_OF_ORDERNESS_NS = SECOND;

  public static L7Config defaults() {
    return new L7Config(10 * SECOND, 120 * SECOND, 300 * SECOND, 30 * SECOND, 100_000, 200_000, 4_096,
        256L << 20, Set.of(53), Set.of(80, 8000, 8008, 8080, 8888));
  }
}
