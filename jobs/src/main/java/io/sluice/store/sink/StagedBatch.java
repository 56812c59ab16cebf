package io.sluice.store.sink;

/**
 * What one sink writer staged between two checkpoints: the committable. Its rows sit in the staging table under
 * ingest_batch values {@code epoch | chunk}, chunk = row index / chunkRows, on shard {@code shard} (0 for a single
 * server), which travels with the batch so that any committer subtask commits it where it was staged.
 */
public record StagedBatch(String table, long epoch, long rows, int chunkRows, int shard) {
  static final int CHUNK_BITS = 20;

  public StagedBatch(String table, long epoch, long rows, int chunkRows) {
    this(table, epoch, rows, chunkRows, 0);
  }

  public int chunks() {
    return (int) ((rows + chunkRows - 1) / chunkRows);
  }

  public long chunkRows(int chunk) {
    return Math.min(chunkRows, rows - (long) chunk * chunkRows);
  }

  public long batchId(int chunk) {
    return epoch | chunk;
  }

  /** The staging partition of this epoch: intDiv(ingest_batch, 2^20). */
  public long stagingPartition() {
    return epoch >>> CHUNK_BITS;
  }
}
