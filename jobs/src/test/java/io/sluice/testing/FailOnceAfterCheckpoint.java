package io.sluice.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * Fails a job once, mid-stream, after a checkpoint taken behind some records has completed, so that the restart
 * must resume from that checkpoint's state. From the failAfter-th record on, until such a checkpoint completes, every
 * record is held for {@link #HOLD_MS}: a bounded input must not run out before a checkpoint completes on a slow or
 * busy machine, and the holds are between records so the task can still take checkpoints (a map chained to its
 * source runs in the source's mailbox). The flags are static: a restart recreates the function.
 */
public final class FailOnceAfterCheckpoint<T> extends RichMapFunction<T, T> implements CheckpointListener, CheckpointedFunction {
  static final long HOLD_MS = 50;
  private static final AtomicBoolean FAILED = new AtomicBoolean();
  private static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
  private static final AtomicLong SEEN = new AtomicLong();
  private static final Set<Long> CHECKPOINTS_BEHIND_RECORDS = ConcurrentHashMap.newKeySet();

  private final long failAfter;
  private long seenHere;

  public FailOnceAfterCheckpoint(long failAfter) {
    this.failAfter = failAfter;
  }

  public static void reset() {
    FAILED.set(false);
    CHECKPOINTED.set(false);
    SEEN.set(0);
    CHECKPOINTS_BEHIND_RECORDS.clear();
  }

  public static boolean failed() {
    return FAILED.get();
  }

  @Override
  public T map(T record) throws Exception {
    if (FAILED.get()) {
      return record;
    }
    seenHere++;
    long n = SEEN.incrementAndGet();
    if (n >= failAfter) {
      if (!CHECKPOINTED.get()) {
        Thread.sleep(HOLD_MS);
      } else if (FAILED.compareAndSet(false, true)) {
        System.out.println("FailOnceAfterCheckpoint: injecting a failure after " + n + " records, a checkpoint completed");
        throw new IllegalStateException("injected failure after " + n + " records and a completed checkpoint");
      }
    }
    return record;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    if (seenHere > 0) {
      CHECKPOINTS_BEHIND_RECORDS.add(context.getCheckpointId());
    }
  }

  @Override
  public void initializeState(FunctionInitializationContext context) {}

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    if (CHECKPOINTS_BEHIND_RECORDS.contains(checkpointId)) {
      CHECKPOINTED.set(true);
    }
  }
}
