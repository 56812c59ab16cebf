package io.sluice.decode.packet;

/**
 * The order a key's captured records reach a job in, and their capture times. The eBPF loader times a packet or a
 * socket event before it puts it in its one ring buffer, and a key's records travel in one Kafka partition, so they
 * arrive in the order the node captured them; but records seen on two CPUs at once can be timed a few microseconds
 * out of that order (a response timed before its request, a close before its connect). A job that sorts a key's
 * records by capture time first gives each record timed back by at most {@link #BACKWARD_NS} the time of the latest
 * one that arrived before it, so that the sort keeps the order they happened in. A record timed further back is
 * taken as timed. The offline engine reads a capture file in its order, which is the capture's order too.
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
