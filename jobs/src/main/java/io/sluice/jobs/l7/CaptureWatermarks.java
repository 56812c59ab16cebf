package io.sluice.jobs.l7;

import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * The watermark of one Kafka partition of live captures: {@code outOfOrdernessMs} behind the latest capture time,
 * and, once the partition has been silent for {@code silenceMs} of wall-clock time, moving on with the wall clock
 * from there. A capture time is the wall clock of the node that captured (the loader stamps packets as it sees
 * them), so after a silence of s the node's time has moved on by s too, and nothing captured earlier can still
 * come: event time may follow. Without this, event time stops when the traffic does, and the rows and timeouts of
 * the last exchanges wait for the next packet, which on a quiet node may never come. A partition that never had a
 * record is idle (it holds no other back).
 *
 * <p>Why the wall clock and not the loader sending heartbeats: it needs nothing from the loader (replays, other
 * producers and old loaders work), and it keeps working when a node or its loader is gone, which is when the
 * rows of its last exchanges matter most. The cost: a record that reaches the job more than {@code silenceMs} +
 * {@code outOfOrdernessMs} after it was captured, following a silence, is late (it is still used; a timeout may
 * have fired before it).
 */
public final class CaptureWatermarks<T> implements WatermarkGenerator<T> {
  private final long outOfOrdernessMs;
  private final long silenceMs;
  private final LongSupplier clockMs;
  private final long startedMs;
  private long maxTimestamp = Long.MIN_VALUE;
  private long lastRecordMs;
  private long emitted = Long.MIN_VALUE;

  public CaptureWatermarks(long outOfOrdernessMs, long silenceMs, LongSupplier clockMs) {
    this.outOfOrdernessMs = outOfOrdernessMs;
    this.silenceMs = silenceMs;
    this.clockMs = clockMs;
    this.startedMs = clockMs.getAsLong();
  }

  @Override
  public void onEvent(T event, long timestamp, WatermarkOutput output) {
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    lastRecordMs = clockMs.getAsLong();
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    long now = clockMs.getAsLong();
    if (maxTimestamp == Long.MIN_VALUE) {
      if (now - startedMs >= silenceMs) {
        output.markIdle();
      }
      return;
    }
    long watermark = maxTimestamp - outOfOrdernessMs - 1;
    long silent = now - lastRecordMs;
    if (silent > silenceMs) {
      watermark += silent - silenceMs;
    }
    if (watermark > emitted) {
      emitted = watermark;
      output.emitWatermark(new Watermark(watermark));
    }
  }
}
