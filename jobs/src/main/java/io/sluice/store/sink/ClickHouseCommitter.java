package io.sluice.store.sink;

import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;

/** Commits staged epochs after their checkpoint completed, again after a restore: commits are idempotent. */
final class ClickHouseCommitter implements Committer<StagedBatch> {
  private final StagingStore store;

  ClickHouseCommitter(StagingStore store) {
    this.store = store;
  }

  @Override
  public void commit(Collection<CommitRequest<StagedBatch>> requests) throws InterruptedException {
    for (CommitRequest<StagedBatch> request : requests) {
      try {
        store.commit(request.getCommittable());
      } catch (RuntimeException e) {
        request.signalFailedWithUnknownReason(e);
      }
    }
  }

  @Override
  public void close() {}
}
