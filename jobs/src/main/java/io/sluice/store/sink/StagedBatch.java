package io.sluice.store.sink;

import java.util.Arrays;

/**
 * What one sink writer staged between two checkpoints: the committable. Its rows sit in the staging table under
 * ingest_batch values {@code epoch | chunk} on shard {@code shard} (0 for a single server), which travels with the
 * batch so that any committer subtask commits it where it was staged. Chunk {@code i} holds {@code chunkSizes[i]}
 * rows; without sizes (batches staged before they were recorded) chunk = row index / chunkRows. {@code columns} names
 * the columns the rows were staged with ({@link RowEncoder#ALL_COLUMNS}: all), which the commit copies; the others
 * hold the staging table's defaults.
 */
public record StagedBatch(String table, long epoch, long rows, int chunkRows, int shard, long[] chunkSizes,
    long columns) {
  static final int CHUNK_BITS = 20;

  public StagedBatch(String table, long epoch, long rows, int chunkRows) {
    this(table, epoch, rows, chunkRows, 0, null);
  }

  public StagedBatch(String table, long epoch, long rows, int chunkRows, int shard) {
    this(table, epoch, rows, chunkRows, shard, null);
  }

  public StagedBatch(String table, long epoch, long rows, int chunkRows, int shard, long[] chunkSizes) {
    this(table, epoch, rows, chunkRows, shard, chunkSizes, RowEncoder.ALL_COLUMNS);
  }

  public int chunks() {
    return chunkSizes != null ? chunkSizes.length : (int) ((rows + chunkRows - 1) / chunkRows);
  }

  public long chunkRows(int chunk) {
    return chunkSizes != null ? chunkSizes[chunk] : Math.min(chunkRows, rows - (long) chunk * chunkRows);
  }

  public long batchId(int chunk) {
    return epoch | chunk;
  }

  /** The staging partition of this epoch: intDiv(ingest_batch, 2^20). */
  public long stagingPartition() {
    return epoch >>> CHUNK_BITS;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StagedBatch b && table.equals(b.table) && epoch == b.epoch && rows == b.rows
        && chunkRows == b.chunkRows && shard == b.shard && Arrays.equals(chunkSizes, b.chunkSizes) && columns == b.columns;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(epoch) * 31 + Arrays.hashCode(chunkSizes);
  }

  @Override
  public String toString() {
    return "StagedBatch[" + table + ", epoch " + Long.toHexString(epoch) + ", " + rows + " rows in " + chunks()
        + " chunks, shard " + shard + "]";
  }
}
