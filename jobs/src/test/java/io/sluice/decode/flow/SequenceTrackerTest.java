package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SequenceTrackerTest {
  @Test
  void gapsReordersAndRestarts() {
    SequenceTracker t = new ExporterState().sequence(1, false);
    t.observe(100_000, 1);
    t.observe(100_001, 1);
    t.observe(100_004, 1); // 100_002 and 100_003 lost
    assertEquals(2, t.lost());
    t.observe(100_003, 1); // late
    assertEquals(1, t.reorders());
    t.observe(100_005, 1);
    t.observe(7, 1); // the exporter restarted
    assertEquals(1, t.restarts());
    t.observe(8, 1);
    assertEquals(2, t.lost());
  }

  @Test
  void recordCountersAndWrapAround() {
    SequenceTracker t = new ExporterState().sequence(2, true);
    t.observe(0xFFFFFFF0L, 30); // next expected wraps to 14
    t.observe(14, 30);
    assertEquals(0, t.lost());
    t.observe(54, 30); // 10 records lost
    assertEquals(10, t.lost());
    t.observe(84, -1); // unknown count: the next datagram resynchronises
    t.observe(500, 1);
    assertEquals(10, t.lost());
  }
}
