package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskIOMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.api.operators.util.PausableRelativeClock;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * The live watermark: out-of-orderness behind the capture time, then the clock once the partition is silent; not
 * while its split is paused by alignment or backpressured (Flink's own per-split clock, driven as Flink drives it),
 * nor while it is catching up a backlog (its records came long after Kafka had them).
 */
class CaptureWatermarksTest {
  private final ManualClock clock = new ManualClock(1_000_000_000_000L);
  private final PausableRelativeClock activity = new PausableRelativeClock(clock);
  private final long[] written = {Long.MIN_VALUE};
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

  private CaptureWatermarks<String> generator() {
    return new CaptureWatermarks<>(1000, 1000, activity::relativeTimeMillis, clock::absoluteTimeMillis, written);
  }

  private void pass(long ms) {
    clock.advanceTime(Duration.ofMillis(ms));
  }

  /** A record captured at {@code capturedMs} that Kafka has had since {@code ageMs} ago. */
  private void record(WatermarkGenerator<String> w, long capturedMs, long ageMs) {
    written[0] = clock.absoluteTimeMillis() - ageMs;
    w.onEvent("r", capturedMs, out);
  }

  private long last() {
    return emitted.get(emitted.size() - 1);
  }

  @Test
  void silenceMovesEventTimeOnWithTheClock() {
    CaptureWatermarks<String> w = generator();
    record(w, 5_000, 0);
    w.onPeriodicEmit(out);
    assertEquals(3_999, last());
    pass(1000); // silent, but not longer than the silence bound yet
    w.onPeriodicEmit(out);
    assertEquals(3_999, last());
    pass(4000);
    w.onPeriodicEmit(out);
    assertEquals(7_999, last(), "4 s past the bound: event time moved on 4 s");
    // A record captured during the silence, as a live node would, does not move the watermark back.
    record(w, 8_500, 0);
    w.onPeriodicEmit(out);
    assertEquals(7_999, last());
    pass(2000);
    w.onPeriodicEmit(out);
    assertEquals(8_499, last());
    assertTrue(emitted.stream().sorted().toList().equals(emitted), "never backwards");
  }

  @Test
  void aPartitionThatNeverHadARecordIsIdle() {
    CaptureWatermarks<String> w = generator();
    w.onPeriodicEmit(out);
    assertEquals(false, idle);
    pass(1000);
    w.onPeriodicEmit(out);
    assertTrue(idle);
    assertEquals(List.of(), emitted);
  }

  @Test
  void anAlignedPartitionWaitingForItsFirstRecordHoldsTheOthersAtTheEpoch() {
    CaptureWatermarks<String> w = new CaptureWatermarks<>(1000, 1000, CaptureWatermarks.MAX_LAG_WAIT_MS,
        activity::relativeTimeMillis, clock::absoluteTimeMillis, written);
    w.onPeriodicEmit(out);
    assertEquals(List.of(CaptureWatermarks.HOLD), emitted, "below every capture time: alignment pauses the others");
    pass(CaptureWatermarks.MAX_LAG_WAIT_MS - 1); // the consumers' first fetch, however slow, within the bound
    w.onPeriodicEmit(out);
    assertEquals(false, idle, "silent past silence-ms, but never had a record: not idle yet");
    record(w, 5_000, 20_000);
    w.onPeriodicEmit(out);
    assertEquals(List.of(CaptureWatermarks.HOLD, 3_999L), emitted);
  }

  @Test
  void anAlignedPartitionWithNothingToReadIsIdleAfterTheLongestLagWait() {
    CaptureWatermarks<String> w = new CaptureWatermarks<>(1000, 1000, CaptureWatermarks.MAX_LAG_WAIT_MS,
        activity::relativeTimeMillis, clock::absoluteTimeMillis, written);
    w.onPeriodicEmit(out);
    pass(CaptureWatermarks.MAX_LAG_WAIT_MS);
    w.onPeriodicEmit(out);
    assertTrue(idle);
    assertEquals(List.of(CaptureWatermarks.HOLD), emitted);
  }

  @Test
  void aSplitPausedByAlignmentIsNotSilent() {
    CaptureWatermarks<String> w = generator();
    record(w, 5_000, 0);
    activity.pause(); // as SourceOperator does when the split's watermark is past the group's allowed drift
    pass(60_000);
    w.onPeriodicEmit(out);
    assertEquals(List.of(3_999L), emitted, "a minute paused: its unread packets are not late");
    activity.unPause();
    pass(1500);
    w.onPeriodicEmit(out);
    assertEquals(4_499, last(), "silent 1.5 s while it could read: 0.5 s past the bound");
  }

  @Test
  void aBackpressuredSourceIsNotSilent() {
    TaskIOMetricGroup io = UnregisteredMetricGroups.createUnregisteredTaskMetricGroup().getIOMetricGroup();
    io.registerBackPressureListener(activity); // as Flink registers each split's clock
    CaptureWatermarks<String> w = generator();
    record(w, 5_000, 0);
    io.getHardBackPressuredTimePerSecond().markStart();
    pass(30_000);
    w.onPeriodicEmit(out);
    io.getHardBackPressuredTimePerSecond().markEnd();
    io.getSoftBackPressuredTimePerSecond().markStart();
    pass(30_000);
    w.onPeriodicEmit(out);
    io.getSoftBackPressuredTimePerSecond().markEnd();
    assertEquals(List.of(3_999L), emitted, "backpressured for a minute: not silent");
    pass(2000);
    w.onPeriodicEmit(out);
    assertEquals(4_999, last());
  }

  @Test
  void aPartitionCatchingUpIsNotQuiet() {
    CaptureWatermarks<String> w = generator();
    record(w, 5_000, 6_000); // read 6 s after Kafka had it: a backlog
    pass(4_000); // its next records may be as late as that
    w.onPeriodicEmit(out);
    assertEquals(List.of(3_999L), emitted);
    pass(4_000);
    w.onPeriodicEmit(out);
    assertEquals(3_999 + 8_000 - 6_000, last(), "past how late it came, on the wall clock");
    // Caught up: a fresh record brings the bound back to the silence alone.
    record(w, 70_000, 20);
    pass(1_520);
    w.onPeriodicEmit(out);
    assertEquals(68_999 + 520, last());
  }

  @Test
  void recordsReadLongAfterKafkaHadThemHoldThePartitionBackOnlyForTheLongestLagWait() {
    CaptureWatermarks<String> w = generator();
    record(w, 5_000, 900_000); // a node's last records, read when the job restarts 15 min later
    pass(CaptureWatermarks.MAX_LAG_WAIT_MS - 1);
    w.onPeriodicEmit(out);
    assertEquals(List.of(3_999L), emitted);
    pass(2_001);
    w.onPeriodicEmit(out);
    assertEquals(3_999 + 2_000, last(), "silent once the longest lag wait has passed, not after 15 min");
  }

  @Test
  void aCaughtUpPartitionPausedMeanwhileNeedNotWaitOutItsLagAgain() {
    CaptureWatermarks<String> w = generator();
    record(w, 5_000, 10_000); // the last of a backlog, read 10 s after Kafka had it
    activity.pause(); // held back by alignment while the slowest partition catches up
    pass(20_000);
    activity.unPause();
    pass(1_500);
    w.onPeriodicEmit(out);
    assertEquals(3_999 + 500, last(), "the lag passed on the wall clock while paused; the silence counts from unpausing");
  }

  @Test
  void aProducerClockAheadOrNoKafkaTimestampAddsNothing() {
    CaptureWatermarks<String> w = generator();
    record(w, 5_000, -30_000); // the producer's clock 30 s ahead of the job's
    pass(2000);
    w.onPeriodicEmit(out);
    assertEquals(4_999, last());
    written[0] = -1; // Kafka's "no timestamp"
    w.onEvent("r", 6_000, out);
    pass(2000);
    w.onPeriodicEmit(out);
    assertEquals(5_999, last());
  }

  /** What Flink hands a split's generator: here, the test's activity clock. */
  private WatermarkGeneratorSupplier.Context splitContext() {
    return new WatermarkGeneratorSupplier.Context() {
      @Override
      public MetricGroup getMetricGroup() {
        return null;
      }

      @Override
      public RelativeClock getInputActivityClock() {
        return activity;
      }
    };
  }

  @Test
  void onlyTheAlignedStrategyHoldsForTheFirstRecord() {
    WatermarkGeneratorSupplier.Context context = splitContext();
    WatermarkGenerator<Long> aligned = CaptureWatermarks.<Long>liveAligned(1000, 250, (e, kafkaMs) -> e)
        .createWatermarkGenerator(context);
    WatermarkGenerator<Long> plain = CaptureWatermarks.<Long>live(1000, 250, (e, kafkaMs) -> e)
        .createWatermarkGenerator(context);
    pass(1000);
    plain.onPeriodicEmit(out);
    assertTrue(idle, "live: idle after silence-ms");
    aligned.onPeriodicEmit(out);
    assertEquals(false, idle, "aligned: holds");
    assertEquals(List.of(CaptureWatermarks.HOLD), emitted);
  }

  @Test
  void theLiveStrategyHandsTheGeneratorTheKafkaTimestampAndTheSplitsClock() {
    WatermarkStrategy<Long> live = CaptureWatermarks.live(1000, 250, (e, kafkaMs) -> e);
    TimestampAssigner<Long> assigner = live.createTimestampAssigner(() -> null);
    WatermarkGenerator<Long> w = live.createWatermarkGenerator(splitContext());
    long hourAgo = System.currentTimeMillis() - 3_600_000;
    List<Long> seen = new ArrayList<>();
    WatermarkOutput longs = new WatermarkOutput() {
      @Override
      public void emitWatermark(Watermark watermark) {
        seen.add(watermark.getTimestamp());
      }

      @Override
      public void markIdle() {}

      @Override
      public void markActive() {}
    };
    w.onEvent(5_000L, assigner.extractTimestamp(5_000L, hourAgo), longs);
    pass(60_000);
    w.onPeriodicEmit(longs);
    assertEquals(List.of(3_999L), seen, "written an hour before it was read: a minute without records is not silence");
    assertEquals(6_000L, assigner.extractTimestamp(6_000L, System.currentTimeMillis()));
  }
}
