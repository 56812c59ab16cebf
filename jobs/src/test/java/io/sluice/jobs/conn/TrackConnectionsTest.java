package io.sluice.jobs.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.conn.SocketSample;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/**
 * The keyed operator's state follows the open connections: after many short connections nothing is left (no value,
 * no pending event, no timer), and connections whose close never comes are dropped at the idle limit.
 */
class TrackConnectionsTest {
  static final long T = 1_700_000_000_000_000_000L;
  static final long MS = 1_000_000L;
  static final long S = 1_000_000_000L;
  static final int SHORT = 200_000;

  static SocketSample tcp(long ns, int port, int from, int to) {
    SocketSample e = new SocketSample();
    e.node = "n1";
    e.eventNs = ns;
    e.kind = SocketSample.STATE_CHANGE;
    e.protocol = 6;
    e.oldState = from;
    e.newState = to;
    e.comm = "";
    e.container = "";
    e.localAddr = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, (byte) (port >> 16), 2};
    e.localPort = port & 0xffff;
    e.remoteAddr = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
    e.remotePort = 80;
    return e;
  }

  static KeyedOneInputStreamOperatorTestHarness<String, SocketSample, byte[]> harness(long tcpIdleS) throws Exception {
    var h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new TrackConnections(60 * S, tcpIdleS * S, 30 * S),
        SocketSample::key, Types.STRING);
    h.open();
    return h;
  }

  @Test
  void shortConnectionsLeaveNoState() throws Exception {
    try (var h = harness(3600)) {
      long peak = 0;
      for (int i = 0; i < SHORT; i++) {
        long t = T + i * 100_000L;  // 10,000 connections per second
        h.processElement(tcp(t, i, 7, 2), t / MS);
        h.processElement(tcp(t + 30_000, i, 2, 1), t / MS);
        h.processElement(err(tcp(t + 60_000, i, 1, 7), 104), t / MS);
        if (i % 1000 == 999) {
          h.processWatermark(new Watermark(t / MS - 1000));
          peak = Math.max(peak, h.numKeyedStateEntries());
        }
      }
      h.processWatermark(new Watermark(T / MS + SHORT / 10 + 2000));
      assertEquals(SHORT, h.extractOutputValues().size(), "one row per connection");
      assertEquals(0, h.numKeyedStateEntries(), "no state left");
      assertEquals(0, h.numEventTimeTimers(), "no timer left");
      System.out.printf("TrackConnections: %d short connections, at most %d keyed state entries at once%n", SHORT, peak);
    }
  }

  static SocketSample err(SocketSample e, int errno) {
    e.skErr = errno;
    return e;
  }

  @Test
  void connectionsWhoseCloseIsLostAreDroppedAtTheIdleLimit() throws Exception {
    try (var h = harness(120)) {
      for (int i = 0; i < 1000; i++) {
        h.processElement(tcp(T + i * MS, i, 7, 2), T / MS + i);
        h.processElement(tcp(T + i * MS + 10_000, i, 2, 1), T / MS + i);
      }
      h.processWatermark(new Watermark(T / MS + 10_000));
      assertEquals(1000 * 2, h.numKeyedStateEntries(), "the open connection and its timer's time, per socket");
      h.processWatermark(new Watermark(T / MS + 121_000 + 1000));
      // Two slice rows (0-60 s, 60-120 s) and the expiry, per connection.
      assertEquals(3000, h.extractOutputValues().size());
      assertEquals(0, h.numKeyedStateEntries());
      assertEquals(0, h.numEventTimeTimers());
    }
  }
}
