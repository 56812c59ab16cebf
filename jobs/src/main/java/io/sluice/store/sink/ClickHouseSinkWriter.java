package io.sluice.store.sink;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Buffers RowBinary rows, stages them on size or time, and hands the epoch to the committer at each checkpoint. */
final class ClickHouseSinkWriter<T> implements CommittingSinkWriter<T, StagedBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSinkWriter.class);

  private final SinkSettings settings;
  private final int shard;
  private final RowEncoder<T> encoder;
  private final StagingStore store;
  private final ProcessingTimeService time;
  private final Counter rowsStaged;
  private final Counter rowsUnencodable;
  private final RowBinary buffer;
  private int bufferedRows;
  private long epoch;
  private long rowsInEpoch;
  private long lastStagedAt;

  ClickHouseSinkWriter(SinkSettings settings, int shard, RowEncoder<T> encoder, StagingStore store,
      ProcessingTimeService time, Counter rowsStaged, Counter rowsUnencodable) {
    this.settings = settings;
    this.shard = shard;
    this.encoder = encoder;
    this.store = store;
    this.time = time;
    this.rowsStaged = rowsStaged;
    this.rowsUnencodable = rowsUnencodable;
    this.buffer = new RowBinary(Math.min(settings.flushBytes() + (1 << 16), 64 << 20));
    this.epoch = newEpoch();
    this.lastStagedAt = time.getCurrentProcessingTime();
    scheduleTimedFlush();
  }

  @Override
  public void write(T record, Context context) throws InterruptedException {
    int mark = buffer.size();
    try {
      encoder.encode(record, buffer);
    } catch (RuntimeException e) {
      buffer.truncate(mark); // the rest of the buffer stays valid
      rowsUnencodable.inc();
      LOG.warn("skipped a row for {} that cannot be encoded: {}", settings.table(), e.toString());
      return;
    }
    buffer.uint64(epoch | (rowsInEpoch / settings.chunkRows()));
    rowsInEpoch++;
    bufferedRows++;
    if (bufferedRows >= settings.flushRows() || buffer.size() >= settings.flushBytes()) {
      stageBuffer();
    }
  }

  @Override
  public void flush(boolean endOfInput) throws InterruptedException {
    stageBuffer();
  }

  @Override
  public Collection<StagedBatch> prepareCommit() throws InterruptedException {
    stageBuffer();
    if (rowsInEpoch == 0) {
      return List.of();
    }
    StagedBatch batch = new StagedBatch(settings.table(), epoch, rowsInEpoch, settings.chunkRows(), shard);
    epoch = newEpoch();
    rowsInEpoch = 0;
    return List.of(batch);
  }

  private void stageBuffer() throws InterruptedException {
    if (bufferedRows == 0) {
      return;
    }
    store.stage(buffer.array(), buffer.size());
    rowsStaged.inc(bufferedRows);
    buffer.clear();
    bufferedRows = 0;
    lastStagedAt = time.getCurrentProcessingTime();
  }

  private void scheduleTimedFlush() {
    time.registerTimer(time.getCurrentProcessingTime() + settings.flushIntervalMillis(), now -> {
      if (now - lastStagedAt >= settings.flushIntervalMillis()) {
        stageBuffer();
      }
      scheduleTimedFlush();
    });
  }

  /** A random epoch with the low bits free for the chunk number; 43 random bits make collisions negligible. */
  private static long newEpoch() {
    return (ThreadLocalRandom.current().nextLong() >>> (64 - 43)) << StagedBatch.CHUNK_BITS;
  }

  @Override
  public void close() {
    // Rows not yet covered by a checkpoint are replayed by the source after a restart: nothing to save here.
  }
}
