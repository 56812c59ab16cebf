package io.sluice.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Socket events → connections rows: lifetimes, directions, end reasons, slices without double counting, bounds. */
class ConnectionTrackerTest {
  static final long T = 1_700_000_000_000_000_000L;
  static final long MS = 1_000_000L;
  static final long S = 1_000_000_000L;
  static final long SLICE = 60 * S;
  static final long TCP_IDLE = 3600 * S;
  static final long UDP_IDLE = 30 * S;
  static final byte[] LOCAL = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 2};
  static final byte[] REMOTE = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};

  static SocketSample tcp(long ns, int from, int to) {
    SocketSample e = new SocketSample();
    e.node = "n1";
    e.eventNs = ns;
    e.kind = SocketSample.STATE_CHANGE;
    e.protocol = 6;
    e.oldState = from;
    e.newState = to;
    e.netns = 4026532000L;
    e.cgroupId = 77;
    e.container = "";
    e.pod = "";
    e.podNamespace = "";
    e.comm = "swapper/1";  // softirq: whoever ran
    e.pid = 0;
    e.localAddr = LOCAL;
    e.localPort = 40000;
    e.remoteAddr = REMOTE;
    e.remotePort = 80;
    return e;
  }

  static SocketSample trusted(SocketSample e, int pid, String comm) {
    e.pidTrusted = true;
    e.pid = pid;
    e.comm = comm;
    return e;
  }

  static SocketSample counters(SocketSample e, int srttUs, long out, long in, long segsOut, long segsIn, long retrans) {
    e.srttUs = srttUs;
    e.bytesOut = out;
    e.bytesIn = in;
    e.segsOut = segsOut;
    e.segsIn = segsIn;
    e.retransSegs = retrans;
    return e;
  }

  static SocketSample retransmit(long ns, int srttUs, long retrans) {
    SocketSample e = tcp(ns, 0, 0);
    e.kind = SocketSample.RETRANSMIT;
    e.srttUs = srttUs;
    e.retransSegs = retrans;
    return e;
  }

  static List<ConnectionRow> rows(long endNs, SocketSample... events) {
    return ConnectionTracker.rows(List.of(events), SLICE, TCP_IDLE, UDP_IDLE, endNs);
  }

  /**
   * A connect refused, its close event timed 3 µs before its connect (on loopback, events read on different CPUs)
   * and read after it: one lifetime that closes no earlier than it opened.
   */
  @Test
  void aCloseTimedBeforeItsOpenGivesNoNegativeLifetime() {
    List<ConnectionRow> rows = rows(T + S, trusted(tcp(T, 7, 2), 4242, "curl"), err(tcp(T - 3_000, 2, 7), 111));
    assertEquals(1, rows.size(), rows.toString());
    ConnectionRow r = rows.get(0);
    assertEquals(List.of("refused", T, T, T, T, 0L),
        List.of(r.endReason(), r.openNs(), r.closeNs(), r.sliceStartNs(), r.sliceEndNs(), r.durationNs()));
  }

  @Test
  void aConnectClosedWithFinsIsOneRowWithTheCallersProcess() {
    List<ConnectionRow> rows = rows(T + 10 * S,
        trusted(tcp(T, 7, 2), 4242, "curl"),
        counters(tcp(T + 20 * MS, 2, 1), 20_000, 0, 0, 2, 1, 0),
        counters(trusted(tcp(T + 50 * MS, 1, 4), 4242, "curl"), 21_000, 78, 615, 5, 4, 0),
        counters(tcp(T + 70 * MS, 4, 5), 21_500, 79, 615, 5, 5, 0),
        counters(tcp(T + 71 * MS, 5, 7), 21_500, 79, 616, 6, 6, 0));
    assertEquals(1, rows.size(), rows.toString());
    ConnectionRow r = rows.get(0);
    assertTrue(r.last());
    assertEquals(0, r.seq());
    assertEquals("connect", r.direction());
    assertEquals("fin", r.endReason());
    assertEquals(List.of("SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE"), r.states());
    assertEquals(4242, r.pid());
    assertEquals("curl", r.comm());
    assertEquals(77, r.cgroupId());
    assertEquals(T, r.openNs());
    assertEquals(T + 71 * MS, r.closeNs());
    assertEquals(71 * MS, r.durationNs());
    assertEquals(4, r.rttSamples());
    assertEquals(20_000, r.rttMinUs());
    assertEquals(21_500, r.rttMaxUs());
    assertEquals((20_000 + 21_000 + 21_500 + 21_500) / 4, r.rttAvgUs());
    assertEquals(79, r.bytesOut());
    assertEquals(616, r.bytesIn());
    assertEquals(6, r.segsOut());
    assertEquals(6, r.segsIn());
    assertEquals("tcp", r.transport());
  }

  @Test
  void endReasonsFromTheLastStateAndTheSocketsError() {
    assertEquals("refused", rows(T + S, trusted(tcp(T, 7, 2), 1, "c"), err(tcp(T + MS, 2, 7), 111)).get(0).endReason());
    assertEquals("timeout", rows(T + S, trusted(tcp(T, 7, 2), 1, "c"), err(tcp(T + MS, 2, 7), 110)).get(0).endReason());
    assertEquals("rst", rows(T + S, trusted(tcp(T, 7, 2), 1, "c"), tcp(T + MS, 2, 1), err(tcp(T + 2 * MS, 1, 7), 104))
        .get(0).endReason());
    assertEquals("rst_sent", rows(T + S, trusted(tcp(T, 7, 2), 1, "c"), tcp(T + MS, 2, 1), tcp(T + 2 * MS, 1, 7))
        .get(0).endReason());
    assertEquals("closed", rows(T + S, trusted(tcp(T, 7, 2), 1, "c"), tcp(T + MS, 2, 7)).get(0).endReason());
    assertEquals("error", rows(T + S, trusted(tcp(T, 7, 2), 1, "c"), err(tcp(T + MS, 2, 7), 113)).get(0).endReason());
    ConnectionRow refused = rows(T + S, trusted(tcp(T, 7, 2), 1, "c"), err(tcp(T + MS, 2, 7), 111)).get(0);
    assertEquals(List.of("SYN_SENT", "CLOSE"), refused.states());
    assertEquals(111, refused.skErr());
  }

  static SocketSample err(SocketSample e, int errno) {
    e.skErr = errno;
    return e;
  }

  @Test
  void anAcceptedConnectionIsNamedByTheServersOwnClose() {
    SocketSample clone = tcp(T, 10, 3);  // the clone's SYN_RECV still has the listener's addresses
    clone.remotePort = 0;
    List<ConnectionRow> rows = rows(T + S, clone,
        counters(tcp(T + MS, 3, 1), 300, 0, 0, 1, 2, 0),
        tcp(T + 5 * MS, 1, 8),
        trusted(tcp(T + 6 * MS, 8, 9), 900, "nginx"),
        counters(tcp(T + 7 * MS, 9, 7), 310, 615, 78, 4, 5, 0));
    assertEquals(1, rows.size(), rows.toString());
    ConnectionRow r = rows.get(0);
    assertEquals("accept", r.direction());
    assertEquals("fin", r.endReason());
    assertEquals(900, r.pid());
    assertEquals("nginx", r.comm());
    assertEquals(List.of("SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"), r.states());
    assertFalse(ConnectionTracker.tracked(clone));
  }

  /** The kernel sets SYN_SENT before it picks a connect's local port: that event reads port 0 (seen in the demo). */
  @Test
  void aConnectWhoseFirstEventHasNoLocalPortYetIsOneConnect() {
    SocketSample syn = trusted(tcp(T, 7, 2), 4242, "curl");
    syn.localPort = 0;
    SocketSample established = tcp(T + 20 * MS, 2, 1);
    SocketSample close = tcp(T + 70 * MS, 1, 7);
    for (SocketSample e : List.of(syn, established, close)) {
      e.cookie = 99;
    }
    assertEquals(SocketSample.key(syn), SocketSample.key(established), "one socket, one key");
    List<ConnectionRow> rows = rows(T + 10 * S, syn, established, close);
    assertEquals(1, rows.size(), rows.toString());
    assertEquals(List.of("connect", 40000, "curl"), List.of(rows.get(0).direction(), rows.get(0).localPort(),
        rows.get(0).comm()));
  }

  @Test
  void aChildSocketThatLostTheRaceForItsRequestIsNoConnection() {
    assertEquals(List.of(), rows(T + S, tcp(T, 10, 3), tcp(T + 5_000, 3, 7)));
    SocketSample winner = tcp(T, 10, 3);
    winner.cookie = 1;
    SocketSample loser = tcp(T + 1_000, 10, 3);
    loser.cookie = 2;
    assertFalse(SocketSample.key(winner).equals(SocketSample.key(loser)), "the cookie tells them apart");
    assertEquals("rst", rows(T + S, tcp(T, 10, 3), err(tcp(T + 5_000, 3, 7), 104)).get(0).endReason(),
        "a reset child is a connection");
  }

  @Test
  void aLongConnectionGetsARowPerSliceAndSumsCountEachThingOnce() {
    List<ConnectionRow> rows = rows(T + 200 * S,
        trusted(tcp(T, 7, 2), 5, "ssh"),
        counters(tcp(T + 10 * MS, 2, 1), 10_000, 0, 0, 2, 1, 0),
        counters(retransmit(T + 30 * S, 12_000, 2), 12_000, 0, 0, 0, 0, 2),
        counters(retransmit(T + 61 * S, 14_000, 3), 14_000, 0, 0, 0, 0, 3),
        counters(trusted(tcp(T + 150 * S, 1, 4), 5, "ssh"), 13_000, 9_000, 4_000, 40, 30, 3),
        counters(tcp(T + 150 * S + 5 * MS, 4, 5), 13_000, 9_001, 4_000, 41, 31, 3),
        counters(tcp(T + 150 * S + 6 * MS, 5, 7), 13_000, 9_001, 4_001, 41, 32, 3));
    assertEquals(3, rows.size(), rows.toString());
    for (int i = 0; i < 3; i++) {
      ConnectionRow r = rows.get(i);
      assertEquals(i, r.seq());
      assertEquals(i == 2, r.last());
      assertEquals(T, r.openNs());
      assertEquals(T + i * SLICE, r.sliceStartNs());
      assertEquals(i == 2 ? "fin" : "", r.endReason());
    }
    assertEquals(T + SLICE, rows.get(0).sliceEndNs());
    assertEquals(T + 150 * S + 6 * MS, rows.get(2).sliceEndNs());
    assertEquals(0, rows.get(0).closeNs());
    assertEquals(List.of(2L, 1L, 0L), rows.stream().map(ConnectionRow::retransSegs).toList());
    assertEquals(List.of(10_000, 14_000, 13_000), rows.stream().map(ConnectionRow::rttMinUs).toList());
    assertEquals(List.of(2, 1, 3), rows.stream().map(ConnectionRow::rttSamples).toList());
    assertEquals(3, rows.stream().mapToLong(ConnectionRow::retransSegs).sum());
    assertEquals(9_001, rows.stream().mapToLong(ConnectionRow::bytesOut).sum());
    assertEquals(4_001, rows.stream().mapToLong(ConnectionRow::bytesIn).sum());
    assertEquals(41, rows.stream().mapToLong(ConnectionRow::segsOut).sum());
    assertEquals(1, rows.stream().filter(ConnectionRow::last).count());
    assertEquals(150 * S + 6 * MS, rows.get(2).durationNs());
  }

  @Test
  void aTcpConnectionWithNoEventForTheIdleLimitExpiresAndIsDropped() {
    ConnectionTracker t = new ConnectionTracker(SLICE, 150 * S, UDP_IDLE);
    List<ConnectionRow> rows = new ArrayList<>();
    t.onEvent(trusted(tcp(T, 7, 2), 5, "app"), rows::add);
    t.onEvent(tcp(T + MS, 2, 1), rows::add);
    t.advanceTo(T + 150 * S + MS - 1, rows::add);
    assertEquals(2, rows.size(), "two slices so far: " + rows);
    assertEquals(T + 150 * S + MS, t.nextDeadlineNs());
    t.advanceTo(T + 150 * S + MS, rows::add);
    assertEquals(3, rows.size());
    ConnectionRow r = rows.get(2);
    assertTrue(r.last());
    assertEquals("expired", r.endReason());
    assertEquals(T + MS, r.closeNs(), "the last event seen");
    assertNull(t.state());
    assertEquals(Long.MAX_VALUE, t.nextDeadlineNs());
  }

  @Test
  void aNewConnectOnTheSameSocketEndsTheOneWhoseCloseWasLost() {
    List<ConnectionRow> rows = rows(T + 10 * S,
        trusted(tcp(T, 7, 2), 5, "a"), tcp(T + MS, 2, 1),
        trusted(tcp(T + 2 * S, 7, 2), 6, "b"), tcp(T + 2 * S + MS, 2, 1), err(tcp(T + 3 * S, 1, 7), 104));
    assertEquals(2, rows.size(), rows.toString());
    assertEquals("unknown", rows.get(0).endReason());
    assertEquals("a", rows.get(0).comm());
    assertEquals("rst", rows.get(1).endReason());
    assertEquals("b", rows.get(1).comm());
    assertEquals(T + 2 * S, rows.get(1).openNs());
  }

  @Test
  void eventsOfAConnectionWhoseOpeningWasNotSeen() {
    List<ConnectionRow> rows = rows(T + 10 * S, counters(tcp(T, 1, 4), 500, 10, 10, 3, 3, 0), tcp(T + MS, 4, 5),
        tcp(T + 2 * MS, 5, 7));
    assertEquals("unknown", rows.get(0).direction());
    assertEquals("fin", rows.get(0).endReason());
    assertEquals(List.of("ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE"), rows.get(0).states());
  }

  @Test
  void udpSendsAreCountedPerSocketAndPeerUntilIdle() {
    SocketSample first = udp(T, 1, 40);
    List<ConnectionRow> rows = rows(T + 100 * S, first, udp(T + 12 * S, 5, 200), udp(T + 25 * S, 3, 120));
    assertEquals(1, rows.size(), rows.toString());
    ConnectionRow r = rows.get(0);
    assertEquals("udp", r.transport());
    assertEquals("send", r.direction());
    assertEquals("idle", r.endReason());
    assertEquals(9, r.segsOut());
    assertEquals(360, r.bytesOut());
    assertEquals(T + 25 * S, r.closeNs());
    assertEquals(T + 55 * S, r.sliceEndNs());
    assertEquals("dig", r.comm());
    assertTrue(r.states().isEmpty());
  }

  static SocketSample udp(long ns, long sends, long bytes) {
    SocketSample e = trusted(tcp(ns, 7, 1), 31, "dig");
    e.protocol = 17;
    e.remotePort = 53;
    e.segsOut = sends;
    e.bytesOut = bytes;
    return e;
  }

  @Test
  void finishEndsWhatIsOpen() {
    ConnectionTracker t = new ConnectionTracker(SLICE, TCP_IDLE, UDP_IDLE);
    List<ConnectionRow> rows = new ArrayList<>();
    t.onEvent(trusted(tcp(T, 7, 2), 5, "app"), rows::add);
    t.finish(T + S, rows::add);
    assertEquals(1, rows.size());
    assertEquals("open", rows.get(0).endReason());
    assertEquals(0, rows.get(0).closeNs());
    assertNull(t.state());
  }
}
