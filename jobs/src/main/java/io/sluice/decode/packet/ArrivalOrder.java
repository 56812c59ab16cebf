package io.sluice.decode.packet;

/**
 * The order a conversation's captured packets reach a job in, and their capture times. The eBPF loader times a packet
 * in the tc hook that puts it in its one ring buffer, and a conversation's packets travel in one Kafka partition, so
 * they arrive in the order the node captured them; but packets seen on two CPUs at once can be timed a few
 * microseconds out of that order (a response timed before its request). A job that sorts a conversation's packets by
 * capture time first gives each packet timed back by at most {@link #BACKWARD_NS} the time of the latest one that
 * arrived before it, so that the sort keeps the order they happened in. A packet timed further back is taken as timed.
 * The offline engine reads a capture file in its order, which is the capture's order too. Socket events must not use
 * this rule: a connect's first event has no local port yet, so its Kafka key differs from the socket's later events'
 * and it can arrive after them (ConnectionsIpv6LiveTest split lifetimes with it); the connections job sorts them by
 * their own times.
 */
public final class ArrivalOrder {
  /** How far a record's time may run backward behind one that arrived before it and still be taken as its time. */
  public static final long BACKWARD_NS = 1_000_000L;

  private ArrivalOrder() {}

  /** The time of a record captured at {@code ns} that arrived after records timed up to {@code latestNs}. */
  public static long time(long ns, long latestNs) {
    return ns < latestNs && ns >= latestNs - BACKWARD_NS ? latestNs : ns;
  }
}
