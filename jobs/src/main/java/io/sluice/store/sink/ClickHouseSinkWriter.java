package io.sluice.store.sink;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers RowBinary rows, stages them on size or time, and hands the epoch to the committer at each checkpoint.
 *
 * <p>Each commit chunk becomes one INSERT block, which ClickHouse refuses (error 252) when it spans more than 100
 * partitions. Sluice's tables are partitioned by the day of their first column, {@code time}: a chunk is closed
 * early when a row would bring in a 51st UTC day, and 50 UTC days touch at most 100 days in any server time zone.
 *
 * <p>Staged in the background ({@link ClickHouseSink#stagedInBackground()}), a full buffer is staged on a thread of
 * the writer's own while the next one fills, so the operator chained to the writer (the L7Job's join) does not wait
 * for ClickHouse's answer. One insert at most is in flight: an epoch's inserts land in order, which
 * {@link StagingStore#stage} relies on when it retries; and every insert of an epoch has landed before
 * {@link #prepareCommit} hands the epoch to the committer. Otherwise the insert runs on the writer's own thread.
 */
final class ClickHouseSinkWriter<T> implements CommittingSinkWriter<T, StagedBatch> {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSinkWriter.class);
  static final int MAX_DAYS_PER_CHUNK = 50;

  private final SinkSettings settings;
  private final int shard;
  private final RowEncoder<T> encoder;
  private final StagingStore store;
  private final ProcessingTimeService time;
  private final Counter rowsStaged;
  private final Counter rowsUnencodable;
  private RowBinary buffer;
  private int bufferedRows;
  /** The insert in flight (null when none); it answers with its row count. */
  private Future<Integer> staging;
  /** The other buffer: the one in flight while {@link #staging} is set, else empty (null until first needed). */
  private RowBinary spare;
  /** The staging thread, or null when the writer's own thread stages. */
  private final ExecutorService stager;
  private long epoch;
  private long rowsInEpoch;
  private long lastStagedAt;
  /** Rows start with a DateTime {@code time} column: chunks are split by its day. */
  private final boolean timeFirst;
  private int chunk;
  private long rowsInChunk;
  private long[] chunkSizes = new long[8];
  private final long[] chunkDays = new long[MAX_DAYS_PER_CHUNK];
  private int chunkDayCount;
  /**
   * The columns staged: every column some record of this writer has filled so far (it only grows), so a stream's
   * inserts settle on one set after its first records. A record needing more stages the buffer first.
   */
  private long columns;

  ClickHouseSinkWriter(SinkSettings settings, int shard, RowEncoder<T> encoder, StagingStore store,
      ProcessingTimeService time, Counter rowsStaged, Counter rowsUnencodable, boolean inBackground) {
    this.settings = settings;
    this.shard = shard;
    this.encoder = encoder;
    this.store = store;
    this.time = time;
    this.rowsStaged = rowsStaged;
    this.rowsUnencodable = rowsUnencodable;
    this.buffer = new RowBinary(Math.min(settings.flushBytes() + (1 << 16), 64 << 20));
    this.timeFirst = !encoder.columns().isEmpty() && encoder.columns().get(0).equals("time");
    this.columns = store.alwaysStaged() | (timeFirst ? 1L : 0L);
    this.epoch = newEpoch();
    this.lastStagedAt = time.getCurrentProcessingTime();
    this.stager = !inBackground ? null : Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sluice-stage-" + settings.table() + "-" + shard);
      t.setDaemon(true);
      return t;
    });
    scheduleTimedFlush();
  }

  @Override
  public void write(T record, Context context) throws InterruptedException {
    long filled;
    try {
      filled = encoder.filledColumns(record);
    } catch (RuntimeException e) {
      rowsUnencodable.inc();
      LOG.warn("skipped a row for {} that cannot be encoded: {}", settings.table(), e.toString());
      return;
    }
    if ((filled & ~columns) != 0) {
      stageBuffer(); // its rows lack the new columns
      columns |= filled;
    }
    int mark = buffer.size();
    try {
      encoder.encode(record, buffer, columns);
    } catch (RuntimeException e) {
      buffer.truncate(mark); // the rest of the buffer stays valid
      rowsUnencodable.inc();
      LOG.warn("skipped a row for {} that cannot be encoded: {}", settings.table(), e.toString());
      return;
    }
    long day = timeFirst ? dayOf(mark) : 0;
    if (rowsInChunk == settings.chunkRows() || (timeFirst && !inChunk(day) && chunkDayCount == MAX_DAYS_PER_CHUNK)) {
      closeChunk();
    }
    if (timeFirst && !inChunk(day)) {
      chunkDays[chunkDayCount++] = day;
    }
    buffer.uint64(epoch | chunk);
    rowsInChunk++;
    rowsInEpoch++;
    bufferedRows++;
    if (bufferedRows >= settings.flushRows() || buffer.size() >= settings.flushBytes()) {
      stageBuffer();
    }
  }

  @Override
  public void flush(boolean endOfInput) throws InterruptedException {
    stageBuffer();
    awaitStaged();
  }

  @Override
  public Collection<StagedBatch> prepareCommit() throws InterruptedException {
    stageBuffer();
    awaitStaged();
    if (rowsInEpoch == 0) {
      return List.of();
    }
    closeChunk();
    StagedBatch batch = new StagedBatch(settings.table(), epoch, rowsInEpoch, settings.chunkRows(), shard,
        java.util.Arrays.copyOf(chunkSizes, chunk), columns);
    epoch = newEpoch();
    rowsInEpoch = 0;
    chunk = 0;
    return List.of(batch);
  }

  /** The UTC day of the row's DateTime time column, its first 4 bytes (little-endian) at {@code offset}. */
  private long dayOf(int offset) {
    byte[] b = buffer.array();
    long seconds = (b[offset] & 0xFFL) | (b[offset + 1] & 0xFFL) << 8 | (b[offset + 2] & 0xFFL) << 16
        | (b[offset + 3] & 0xFFL) << 24;
    return seconds / 86_400;
  }

  private boolean inChunk(long day) {
    for (int i = 0; i < chunkDayCount; i++) {
      if (chunkDays[i] == day) {
        return true;
      }
    }
    return false;
  }

  private void closeChunk() {
    if (rowsInChunk == 0) {
      return;
    }
    if (chunk == chunkSizes.length) {
      chunkSizes = java.util.Arrays.copyOf(chunkSizes, chunk * 2);
    }
    chunkSizes[chunk++] = rowsInChunk;
    rowsInChunk = 0;
    chunkDayCount = 0;
  }

  /** Stages the buffered rows, or hands them to the staging thread once the insert before them has landed. */
  private void stageBuffer() throws InterruptedException {
    if (bufferedRows == 0) {
      return;
    }
    if (stager == null) {
      store.stage(buffer.array(), buffer.size(), epoch, rowsInEpoch - bufferedRows, bufferedRows, columns);
      rowsStaged.inc(bufferedRows);
      buffer.clear();
    } else {
      awaitStaged(); // the spare buffer is free again
      RowBinary rows = buffer;
      long epochOf = epoch;
      long stagedBefore = rowsInEpoch - bufferedRows;
      int count = bufferedRows;
      long staged = columns;
      staging = stager.submit(() -> {
        store.stage(rows.array(), rows.size(), epochOf, stagedBefore, count, staged);
        return count;
      });
      buffer = spare != null ? spare : new RowBinary(1 << 16);
      spare = rows;
    }
    bufferedRows = 0;
    lastStagedAt = time.getCurrentProcessingTime();
  }

  /** Waits for the insert in flight; its failure fails the writer, and the job restarts from its checkpoint. */
  private void awaitStaged() throws InterruptedException {
    if (staging == null) {
      return;
    }
    int landed;
    try {
      landed = staging.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("staging rows for " + settings.table() + " failed", cause);
    }
    staging = null;
    rowsStaged.inc(landed);
    spare.clear();
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
    // Rows not yet covered by a checkpoint are replayed by the source after a restart: nothing to save here, and an
    // insert still in flight is interrupted (its epoch is never committed).
    if (stager != null) {
      stager.shutdownNow();
    }
  }
}
