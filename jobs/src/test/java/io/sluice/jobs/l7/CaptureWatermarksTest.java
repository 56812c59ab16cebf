package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

/** The live watermark: out-of-orderness behind the capture time, then the wall clock once the partition is silent. */
class CaptureWatermarksTest {
  private long now = 1_000_000;
  private final List<Long> emitted = new ArrayList<>();
  private boolean idle;
  private final WatermarkOutput out = new WatermarkOutput() {
    @Override
    public void emitWatermark(Watermark w) {
      emitted.add(w.getTimestamp());
      idle = false;
    }

    @Override
    public void markIdle() {
      idle = true;
    }

    @Override
    public void markActive() {
      idle = false;
    }
  };

  private long last() {
    return emitted.get(emitted.size() - 1);
  }

  @Test
  void silenceMovesEventTimeOnWithTheWallClock() {
    CaptureWatermarks<String> w = new CaptureWatermarks<>(1000, 1000, () -> now);
    w.onEvent("a", 5_000, out);
    w.onPeriodicEmit(out);
    assertEquals(3_999, last());
    now += 1000; // silent, but not longer than the silence bound yet
    w.onPeriodicEmit(out);
    assertEquals(3_999, last());
    now += 4000;
    w.onPeriodicEmit(out);
    assertEquals(7_999, last(), "4 s past the bound: event time moved on 4 s");
    // A record captured during the silence, as a live node would, does not move the watermark back.
    w.onEvent("b", 8_500, out);
    w.onPeriodicEmit(out);
    assertEquals(7_999, last());
    now += 2000;
    w.onPeriodicEmit(out);
    assertEquals(8_499, last());
    assertTrue(emitted.stream().sorted().toList().equals(emitted), "never backwards");
  }

  @Test
  void aPartitionThatNeverHadARecordIsIdle() {
    CaptureWatermarks<String> w = new CaptureWatermarks<>(1000, 1000, () -> now);
    w.onPeriodicEmit(out);
    assertEquals(false, idle);
    now += 1000;
    w.onPeriodicEmit(out);
    assertTrue(idle);
    assertEquals(List.of(), emitted);
  }
}
