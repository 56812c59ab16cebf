package io.sluice.jobs.l7;

import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * The watermark of one Kafka partition of live captures: {@code outOfOrdernessMs} behind the latest capture time,
 * and, once the partition has been silent for {@code silenceMs}, moving on with the clock from there. A capture time
 * is the wall clock of the node that captured (the loader stamps packets as it sees them), so after a silence of s
 * the node's time has moved on by s too, and nothing captured earlier can still come: event time may follow.
 * Without this, event time stops when the traffic does, and the rows and timeouts of the last exchanges wait for the
 * next packet, which on a quiet node may never come. A partition that never had a record is idle after
 * {@code silenceMs} (it holds no other back); in an aligned source ({@link #liveAligned}) only after
 * {@link #MAX_LAG_WAIT_MS}, see there.
 *
 * <p>Silence is real only when the partition could have delivered and did not. Two things tell a partition that
 * is held back or catching up from a quiet one:
 * <ul>
 *   <li>Silence is counted on the split's input activity clock (Flink's, in the job), which stands still while
 *   watermark alignment pauses the split and while the task is backpressured (hard or soft): a paused or
 *   backpressured source emits nothing either, and that is not silence.</li>
 *   <li>A partition whose latest record reached the job d ms after it was written to Kafka (the record's
 *   timestamp: the producer's clock) is catching up: records written after it may take as long again to come, so
 *   it is silent only once d has also passed on the wall clock since that record. Live, d is the transport delay
 *   (milliseconds); reading a backlog it is the backlog's age, so when a backlog ends with no traffic after it, the
 *   last rows wait about that long, at most {@link #MAX_LAG_WAIT_MS}. A producer clock behind the job's by k adds k to the wait; one ahead adds
 *   nothing (d is never negative).</li>
 * </ul>
 *
 * <p>Why a clock and not the loader sending heartbeats: it needs nothing from the loader (replays, other producers
 * and old loaders work), and it keeps working when a node or its loader is gone, which is when the rows of its last
 * exchanges matter most. The cost: a record that reaches the job more than {@code silenceMs} (in which
 * the reader could emit) and d after the one before it, and more than {@code outOfOrdernessMs} later in capture
 * time, is late (it is still used; a timeout may have fired before it).
 */
public final class CaptureWatermarks<T> implements WatermarkGenerator<T> {
  /**
   * The longest a partition's silence waits for how late its last record came. Past it, a partition whose records
   * were old when read (a node gone while the job was down, whose last records are read on restart) no longer holds
   * the others back: alignment would pause every other partition for as long as those records were old. Delays that
   * long while the reader could emit (neither paused nor backpressured) do not come from fetching.
   */
  public static final long MAX_LAG_WAIT_MS = 10_000;

  /**
   * The watermark of a partition of an aligned source that has not had its first record yet: before every capture
   * time (the epoch), so that alignment pauses the partitions that have, until it has (or is idle).
   */
  static final long HOLD = 0;

  /** The Kafka timestamp of the record being handed on, per source thread: the assigner sets, the generator reads. */
  private static final ThreadLocal<long[]> WRITTEN = ThreadLocal.withInitial(() -> new long[] {Long.MIN_VALUE});

  private final long outOfOrdernessMs;
  private final long silenceMs;
  private final long firstRecordWaitMs;
  private final LongSupplier activityMs;
  private final LongSupplier wallMs;
  private final long[] written;
  private final long startedMs;
  private long maxTimestamp = Long.MIN_VALUE;
  private long lastRecordMs;
  private long lastRecordWallMs;
  private long behindMs;
  private long emitted = Long.MIN_VALUE;

  /**
   * @param activityMs the clock silence is counted on (milliseconds; stands still while the split cannot emit)
   * @param wallMs the job's wall clock, against which a record's Kafka timestamp tells how late it came
   * @param written where the current record's Kafka timestamp is (element 0; below 1 when it has none)
   */
  CaptureWatermarks(long outOfOrdernessMs, long silenceMs, LongSupplier activityMs, LongSupplier wallMs, long[] written) {
    this(outOfOrdernessMs, silenceMs, silenceMs, activityMs, wallMs, written);
  }

  /** @param firstRecordWaitMs how long a partition without a record holds the others (at {@link #HOLD}) before it is idle */
  CaptureWatermarks(long outOfOrdernessMs, long silenceMs, long firstRecordWaitMs, LongSupplier activityMs,
      LongSupplier wallMs, long[] written) {
    this.outOfOrdernessMs = outOfOrdernessMs;
    this.silenceMs = silenceMs;
    this.firstRecordWaitMs = firstRecordWaitMs;
    this.activityMs = activityMs;
    this.wallMs = wallMs;
    this.written = written;
    this.startedMs = activityMs.getAsLong();
  }

  /**
   * Live captures: event time from {@code eventMs}, each partition's watermark a {@link CaptureWatermarks} on its
   * split's input activity clock, fed with the Kafka timestamps the source hands the assigner.
   */
  public static <T> WatermarkStrategy<T> live(long outOfOrdernessMs, long silenceMs, SerializableTimestampAssigner<T> eventMs) {
    return new Live<>(outOfOrdernessMs, silenceMs, silenceMs, eventMs);
  }

  /**
   * As {@link #live}, for a source whose partitions are aligned ({@code withWatermarkAlignment}): a partition that
   * has not had its first record holds event time for up to {@link #MAX_LAG_WAIT_MS} instead of {@code silenceMs}.
   * A job started on a backlog gets its first records some seconds after it starts (the consumers' first fetches:
   * 2-6 s in L7JobCatchUpTest on a busy machine), partition by partition; had the others' watermark moved on in the
   * meantime, the first seconds of a late partition's backlog would come behind it (late: lost to the join). Holding
   * alone would let the partitions that already have records fill the join while nothing can close their
   * conversations; so the partition holds at {@link #HOLD}, which alignment sees as the slowest partition of the
   * group: the others are paused until it has its first record. The cost: a partition with nothing to read at start
   * holds its group that long once.
   */
  public static <T> WatermarkStrategy<T> liveAligned(long outOfOrdernessMs, long silenceMs,
      SerializableTimestampAssigner<T> eventMs) {
    return new Live<>(outOfOrdernessMs, silenceMs, MAX_LAG_WAIT_MS, eventMs);
  }

  @Override
  public void onEvent(T event, long timestamp, WatermarkOutput output) {
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    lastRecordMs = activityMs.getAsLong();
    lastRecordWallMs = wallMs.getAsLong();
    long writtenMs = written[0];
    behindMs = writtenMs > 0 ? Math.min(MAX_LAG_WAIT_MS, Math.max(0, lastRecordWallMs - writtenMs)) : 0;
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    long now = activityMs.getAsLong();
    if (maxTimestamp == Long.MIN_VALUE) {
      if (now - startedMs < firstRecordWaitMs) {
        if (firstRecordWaitMs > silenceMs && emitted < HOLD) {
          emitted = HOLD;
          output.emitWatermark(new Watermark(HOLD));
        }
      } else {
        output.markIdle();
      }
      return;
    }
    long watermark = maxTimestamp - outOfOrdernessMs - 1;
    // Both bounds: silent past silenceMs while it could emit, and for longer than its records came late by the wall
    // clock (which runs on while a split is paused, so partitions catching up wait for it together, not in turn).
    long beyond = Math.min(now - lastRecordMs - silenceMs, wallMs.getAsLong() - lastRecordWallMs - behindMs);
    if (beyond > 0) {
      watermark += beyond;
    }
    if (watermark > emitted) {
      emitted = watermark;
      output.emitWatermark(new Watermark(watermark));
    }
  }

  private static final class Live<T> implements WatermarkStrategy<T> {
    private static final long serialVersionUID = 1L;
    private final long outOfOrdernessMs;
    private final long silenceMs;
    private final long firstRecordWaitMs;
    private final SerializableTimestampAssigner<T> eventMs;

    Live(long outOfOrdernessMs, long silenceMs, long firstRecordWaitMs, SerializableTimestampAssigner<T> eventMs) {
      this.outOfOrdernessMs = outOfOrdernessMs;
      this.silenceMs = silenceMs;
      this.firstRecordWaitMs = firstRecordWaitMs;
      this.eventMs = eventMs;
    }

    // Flink hands each record to the assigner, then to its split's generator, on the source's task thread
    // (SourceOutputWithWatermarks.collect); both are created on that thread, so they share its slot.
    @Override
    public TimestampAssigner<T> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
      long[] written = WRITTEN.get();
      return (event, kafkaMs) -> {
        written[0] = kafkaMs;
        return eventMs.extractTimestamp(event, kafkaMs);
      };
    }

    @Override
    public WatermarkGenerator<T> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
      return new CaptureWatermarks<>(outOfOrdernessMs, silenceMs, firstRecordWaitMs, context.getInputActivityClock()::relativeTimeMillis,
          System::currentTimeMillis, WRITTEN.get());
    }
  }
}
