package io.sluice.conn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The lifetimes of one socket (TCP) or one socket and peer (UDP), from its events in event-time order, as rows of
 * the {@code connections} table. Pure: the Flink operator keeps {@link #state()} in keyed state and calls
 * {@link #onEvent} and {@link #advanceTo} as the watermark passes.
 *
 * <p>A TCP lifetime opens at SYN_SENT (connect) or at the first change out of SYN_RECV (accept: the clone's own
 * SYN_RECV event still carries the listener's addresses) and ends at CLOSE; one whose opening was not seen (the
 * loader started later) opens at its first event as {@code unknown}. A UDP lifetime is a run of a socket's send
 * announcements to one peer, ended by {@code udpIdleNs} without one. Every {@code sliceNs} of a lifetime gives a
 * row; the last row is the close. With no event for {@code tcpIdleNs} a TCP lifetime ends as {@code expired}, so
 * the state of a socket whose close was lost is not kept for ever.
 */
public final class ConnectionTracker {
  private static final int TCP = 6;
  private static final int UDP = 17;

  private final long sliceNs;
  private final long tcpIdleNs;
  private final long udpIdleNs;
  private OpenConnection open;

  public ConnectionTracker(long sliceNs, long tcpIdleNs, long udpIdleNs) {
    if (sliceNs <= 0 || tcpIdleNs <= 0 || udpIdleNs <= 0) {
      throw new IllegalArgumentException("slice and idle limits must be positive");
    }
    this.sliceNs = sliceNs;
    this.tcpIdleNs = tcpIdleNs;
    this.udpIdleNs = udpIdleNs;
  }

  /** The open lifetime, or null. */
  public OpenConnection state() {
    return open;
  }

  public void restore(OpenConnection state) {
    open = state;
  }

  /** Whether the event concerns a connection at all (a listener's events have no peer). */
  public static boolean tracked(SocketSample e) {
    return (e.protocol == TCP || e.protocol == UDP) && e.remotePort != 0;
  }

  /** Applies one event; rows of slices that ended before it, and an expiry, come first. */
  public void onEvent(SocketSample e, Consumer<ConnectionRow> out) {
    if (!tracked(e)) {
      return;
    }
    advanceTo(e.eventNs, out);
    if (open != null && startsLifetime(e, open)) {
      out.accept(finalRow(open.lastEventNs, Math.max(open.lastEventNs, open.sliceStartNs), EndReason.UNKNOWN, 0));
      open = null;
    }
    if (open == null) {
      open = start(e);
    }
    OpenConnection c = open;
    c.lastEventNs = Math.max(c.lastEventNs, e.eventNs);
    if (c.localPort == 0 && e.localPort != 0) { // opened by a connect before its port was chosen
      c.localPort = e.localPort;
      c.localAddr = e.localAddr;
    }
    if (e.pidTrusted && e.pid != 0 && c.pid == 0) {
      c.pid = e.pid;
      c.comm = e.comm == null ? "" : e.comm;
    }
    if (c.cgroupId == 0) {
      c.cgroupId = e.cgroupId;
    }
    if (c.container.isEmpty() && e.container != null) {
      c.container = e.container;
    }
    if (c.pod.isEmpty() && e.pod != null && !e.pod.isEmpty()) {
      c.pod = e.pod;
      c.podNamespace = e.podNamespace == null ? "" : e.podNamespace;
    }
    if (e.protocol == UDP) {
      c.segsOut += e.segsOut;
      c.bytesOut += e.bytesOut;
      return;
    }
    if (e.srttUs > 0) {
      c.rttMinUs = c.rttSamples == 0 ? e.srttUs : Math.min(c.rttMinUs, e.srttUs);
      c.rttMaxUs = Math.max(c.rttMaxUs, e.srttUs);
      c.rttSumUs += e.srttUs;
      c.rttSamples++;
    }
    // The socket's totals only grow; an event read before a later one's may arrive second.
    c.bytesOut = Math.max(c.bytesOut, e.bytesOut);
    c.bytesIn = Math.max(c.bytesIn, e.bytesIn);
    c.segsOut = Math.max(c.segsOut, e.segsOut);
    c.segsIn = Math.max(c.segsIn, e.segsIn);
    c.retransSegs = Math.max(c.retransSegs, e.retransSegs);
    if (e.kind != SocketSample.STATE_CHANGE) {
      return;
    }
    addState(c, e.newState);
    int from = c.lastState;
    c.lastState = e.newState;
    if (e.newState == TcpStates.CLOSE) {
      if (lostRace(c, e)) {
        open = null;
        return;
      }
      // At the latest event's time: a close timed a few microseconds before an earlier event of its lifetime (read on
      // another CPU) does not end the lifetime before it began.
      out.accept(finalRow(c.lastEventNs, c.lastEventNs,
          EndReason.ofClose(e.oldState != 0 ? e.oldState : from, e.skErr), e.skErr));
      open = null;
    }
  }

  /** Event time has reached {@code nowNs}: the rows of slices that ended by then, and an expiry. */
  public void advanceTo(long nowNs, Consumer<ConnectionRow> out) {
    while (open != null) {
      long sliceEnd = open.sliceStartNs + sliceNs;
      long expiry = open.lastEventNs + (open.protocol == UDP ? udpIdleNs : tcpIdleNs);
      if (expiry <= nowNs && expiry <= sliceEnd) {
        out.accept(finalRow(open.lastEventNs, expiry, open.protocol == UDP ? EndReason.IDLE : EndReason.EXPIRED, 0));
        open = null;
      } else if (sliceEnd <= nowNs) {
        out.accept(row(sliceEnd, false, 0, "", 0));
        nextSlice(sliceEnd);
      } else {
        return;
      }
    }
  }

  /** The end of a bounded input: the open lifetime's last row, {@code open}, at {@code nowNs}. */
  public void finish(long nowNs, Consumer<ConnectionRow> out) {
    if (open != null) {
      out.accept(finalRow(0, Math.max(nowNs, open.sliceStartNs), EndReason.OPEN, 0));
      open = null;
    }
  }

  /** When {@link #advanceTo} next has something to do, or Long.MAX_VALUE when nothing is open. */
  public long nextDeadlineNs() {
    if (open == null) {
      return Long.MAX_VALUE;
    }
    return Math.min(open.sliceStartNs + sliceNs, open.lastEventNs + (open.protocol == UDP ? udpIdleNs : tcpIdleNs));
  }

  /** Every row of the given events of one key, then {@link #finish}: for tests and offline use. */
  public static List<ConnectionRow> rows(List<SocketSample> events, long sliceNs, long tcpIdleNs, long udpIdleNs,
      long endNs) {
    ConnectionTracker t = new ConnectionTracker(sliceNs, tcpIdleNs, udpIdleNs);
    List<ConnectionRow> rows = new ArrayList<>();
    for (SocketSample e : events) {
      t.onEvent(e, rows::add);
    }
    t.advanceTo(endNs, rows::add);
    return rows;
  }

  /**
   * A child socket that lost the race for its request socket: several segments reached the request at once, the
   * kernel made a child for each and closed all but one (SYN_RECV → CLOSE, no error). Not a connection: no row.
   */
  private static boolean lostRace(OpenConnection c, SocketSample close) {
    return "accept".equals(c.direction) && close.oldState == TcpStates.SYN_RECV && close.skErr == 0
        && c.states.length == 2;
  }

  private static boolean startsLifetime(SocketSample e, OpenConnection c) {
    return e.protocol == TCP && e.kind == SocketSample.STATE_CHANGE
        && (e.newState == TcpStates.SYN_SENT || e.newState == TcpStates.SYN_RECV
            || (e.oldState == TcpStates.SYN_RECV && c.lastState != TcpStates.SYN_RECV));
  }

  private static OpenConnection start(SocketSample e) {
    OpenConnection c = new OpenConnection();
    c.node = e.node;
    c.netns = e.netns;
    c.protocol = e.protocol;
    c.localAddr = e.localAddr;
    c.localPort = e.localPort;
    c.remoteAddr = e.remoteAddr;
    c.remotePort = e.remotePort;
    if (e.protocol == UDP) {
      c.direction = "send";
    } else if (e.kind == SocketSample.STATE_CHANGE && e.newState == TcpStates.SYN_SENT) {
      c.direction = "connect";
    } else if (e.kind == SocketSample.STATE_CHANGE
        && (e.oldState == TcpStates.SYN_RECV || e.newState == TcpStates.SYN_RECV)) {
      c.direction = "accept";
      addState(c, TcpStates.SYN_RECV);
    } else {
      c.direction = "unknown";
      if (e.kind == SocketSample.STATE_CHANGE && e.oldState != 0) {
        addState(c, e.oldState);
      }
    }
    c.openNs = e.eventNs;
    c.lastEventNs = e.eventNs;
    c.sliceStartNs = e.eventNs;
    return c;
  }

  private static void addState(OpenConnection c, int state) {
    for (byte s : c.states) {
      if (s == state) {
        return;
      }
    }
    byte[] more = java.util.Arrays.copyOf(c.states, c.states.length + 1);
    more[c.states.length] = (byte) state;
    c.states = more;
  }

  private ConnectionRow finalRow(long closeNs, long sliceEndNs, String reason, int skErr) {
    return row(sliceEndNs, true, closeNs, reason, skErr);
  }

  private ConnectionRow row(long sliceEndNs, boolean last, long closeNs, String reason, int skErr) {
    OpenConnection c = open;
    List<String> states = new ArrayList<>(c.states.length);
    for (byte s : c.states) {
      states.add(TcpStates.name(s));
    }
    return new ConnectionRow(c.node, c.netns, c.pid, c.comm, c.container, c.pod, c.podNamespace, c.cgroupId,
        c.protocol, c.localAddr, c.localPort, c.remoteAddr, c.remotePort, c.direction, c.openNs, closeNs,
        c.sliceStartNs, sliceEndNs, c.seq, last, states, reason, skErr, c.retransSegs - c.sliceRetransSegs,
        c.rttSamples, c.rttMinUs, c.rttSamples == 0 ? 0 : (int) (c.rttSumUs / c.rttSamples), c.rttMaxUs,
        c.bytesOut - c.sliceBytesOut, c.bytesIn - c.sliceBytesIn, c.segsOut - c.sliceSegsOut, c.segsIn - c.sliceSegsIn);
  }

  private void nextSlice(long startNs) {
    OpenConnection c = open;
    c.seq++;
    c.sliceStartNs = startNs;
    c.rttSamples = 0;
    c.rttSumUs = 0;
    c.rttMinUs = 0;
    c.rttMaxUs = 0;
    c.sliceBytesOut = c.bytesOut;
    c.sliceBytesIn = c.bytesIn;
    c.sliceSegsOut = c.segsOut;
    c.sliceSegsIn = c.segsIn;
    c.sliceRetransSegs = c.retransSegs;
  }
}
