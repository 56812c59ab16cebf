package io.sluice.store.sink;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.flink.api.connector.sink2.Committer;

/**
 * Commits staged epochs after their checkpoint completed, again after a restore: commits are idempotent. Each
 * batch is committed on the shard it was staged on, whichever subtask it reaches after a rescale.
 */
final class ClickHouseCommitter implements Committer<StagedBatch> {
  private final IntFunction<StagingStore> storeForShard;
  private final Map<Integer, StagingStore> stores = new HashMap<>();

  ClickHouseCommitter(IntFunction<StagingStore> storeForShard) {
    this.storeForShard = storeForShard;
  }

  StagingStore store(int shard) {
    return stores.computeIfAbsent(shard, storeForShard::apply);
  }

  @Override
  public void commit(Collection<CommitRequest<StagedBatch>> requests) throws InterruptedException {
    for (CommitRequest<StagedBatch> request : requests) {
      try {
        store(request.getCommittable().shard()).commit(request.getCommittable());
      } catch (RuntimeException e) {
        request.signalFailedWithUnknownReason(e);
      }
    }
  }

  @Override
  public void close() {}
}
