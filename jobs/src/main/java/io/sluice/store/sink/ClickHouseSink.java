package io.sluice.store.sink;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Exactly-once Flink sink into a ClickHouse table, on ClickHouse 18.16 and current releases alike.
 *
 * <p>Rows are staged in RowBinary batches (on size or time, with backpressure and retries while ClickHouse is
 * down), and become visible only when the checkpoint that covers them completes (see {@link StagingStore}). After
 * a crash, the job restarts from the last checkpoint: committed epochs are not committed twice, and rows staged
 * after that checkpoint are orphans that queries never see (dropped after six hours). The table needs an
 * {@code ingest_batch UInt64} column, which also tells which commit brought each row.
 */
public final class ClickHouseSink<T> implements Sink<T>, SupportsCommitter<StagedBatch> {
  private static final long ORPHAN_HORIZON_SECONDS = 6 * 3600;

  private final SinkSettings settings;
  private final RowEncoder<T> encoder;

  public ClickHouseSink(SinkSettings settings, RowEncoder<T> encoder) {
    this.settings = settings;
    this.encoder = encoder;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    StagingStore store = new StagingStore(settings, encoder.columns());
    try {
      store.ensureTables();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while preparing " + settings.table(), e);
    }
    var metrics = context.metricGroup();
    return new ClickHouseSinkWriter<>(settings, encoder, store, context.getProcessingTimeService(),
        metrics.counter("sluiceRowsStaged"), metrics.counter("sluiceRowsUnencodable"));
  }

  @Override
  public Committer<StagedBatch> createCommitter(CommitterInitContext context) throws IOException {
    StagingStore store = new StagingStore(settings, encoder.columns());
    try {
      store.ensureTables();
      if (context.getTaskInfo().getIndexOfThisSubtask() == 0) {
        store.dropOrphans(ORPHAN_HORIZON_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while preparing " + settings.table(), e);
    }
    return new ClickHouseCommitter(store);
  }

  @Override
  public SimpleVersionedSerializer<StagedBatch> getCommittableSerializer() {
    return new StagedBatchSerializer();
  }
}
