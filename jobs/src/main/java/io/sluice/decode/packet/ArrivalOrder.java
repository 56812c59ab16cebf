package io.sluice.decode.packet;

/**
 * Capture times that run backward by a little. Packets of a conversation seen on two CPUs at once can be timed a few
 * microseconds out of the order they happened in (on loopback, a response timed before its request). A conversation
 * gives a packet timed back by at most {@link #BACKWARD_NS} behind one it already had that one's time, so a response
 * is never before its request; a packet timed further back keeps its time.
 *
 * <p>It only changes times, never the order packets are taken in. Reordering by arrival in the L7Job's join was tried
 * and reverted: a conversation's packets do not all come by one Kafka partition (IP fragments, the first one
 * included, are keyed without ports), and socket events of one socket do not share a key either (a connect's first
 * event has no local port yet), so arrival order is not capture order (L7LiveWorkloadTest and ConnectionsIpv6LiveTest
 * failed with it).
 */
public final class ArrivalOrder {
  /** How far a packet's time may run backward behind one before it and still be taken as that one's time. */
  public static final long BACKWARD_NS = 1_000_000L;

  private ArrivalOrder() {}

  /** The time of a packet captured at {@code ns} that came after packets timed up to {@code latestNs}. */
  public static long time(long ns, long latestNs) {
    return ns < latestNs && ns >= latestNs - BACKWARD_NS ? latestNs : ns;
  }
}
