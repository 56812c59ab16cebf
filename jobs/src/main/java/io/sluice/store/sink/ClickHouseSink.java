package io.sluice.store.sink;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPreCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Exactly-once Flink sink into a ClickHouse table, on ClickHouse 18.16 and current releases alike.
 *
 * <p>Rows are staged in RowBinary batches (on size or time, with backpressure and retries while ClickHouse is
 * down), and become visible only when the checkpoint that covers them completes (see {@link StagingStore}). After
 * a crash, the job restarts from the last checkpoint: committed epochs are not committed twice, and rows staged
 * after that checkpoint are orphans that queries never see (dropped after six hours). The table needs an
 * {@code ingest_batch UInt64} column, which also tells which commit brought each row.
 *
 * <p>On a sharded cluster ({@link SinkSettings#sharded}), writer subtask i stages and commits into the local
 * tables of shard i mod shards; staging and commit markers are replicated within the shard.
 */
public final class ClickHouseSink<T> implements Sink<T>, SupportsCommitter<StagedBatch>,
    SupportsPreCommitTopology<StagedBatch, StagedBatch> {
  private static final long ORPHAN_HORIZON_SECONDS = 6 * 3600;

  private final SinkSettings settings;
  private final RowEncoder<T> encoder;
  private final boolean committedApart;
  private final boolean stagedInBackground;

  public ClickHouseSink(SinkSettings settings, RowEncoder<T> encoder) {
    this(settings, encoder, false, false);
  }

  private ClickHouseSink(SinkSettings settings, RowEncoder<T> encoder, boolean committedApart,
      boolean stagedInBackground) {
    this.settings = settings;
    this.encoder = encoder;
    this.committedApart = committedApart;
    this.stagedInBackground = stagedInBackground;
  }

  /**
   * The same sink with its committer in a task of its own: the writer stays chained to the operator before it, and
   * a commit (the {@code INSERT ... SELECT} from staging) no longer runs on that operator's thread.
   */
  public ClickHouseSink<T> committedApart() {
    return new ClickHouseSink<>(settings, encoder, true, stagedInBackground);
  }

  /**
   * The same sink with its staging inserts on a thread of the writer's own ({@link ClickHouseSinkWriter}), so the
   * operator the writer is chained to does not wait for them. Used where that operator's time is the job's limit
   * (the L7Job's join); the FlowJob's TaskManager spent 0.3-0.6 µs more CPU per record with it (BENCHMARKS.md).
   */
  public ClickHouseSink<T> stagedInBackground() {
    return new ClickHouseSink<>(settings, encoder, committedApart, true);
  }

  /**
   * Writer to committer: chained (forward), or committed apart over a rescale edge. Between equal parallelisms a
   * rescale edge is pointwise, so writer subtask i still feeds committer subtask i alone, as in the chain, and each
   * batch carries its shard. The committer commits on the checkpoint's completion either way.
   */
  @Override
  public DataStream<CommittableMessage<StagedBatch>> addPreCommitTopology(
      DataStream<CommittableMessage<StagedBatch>> committables) {
    return committedApart ? committables.rescale() : committables;
  }

  @Override
  public SimpleVersionedSerializer<StagedBatch> getWriteResultSerializer() {
    return getCommittableSerializer();
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    int shard = context.getTaskInfo().getIndexOfThisSubtask() % settings.shards();
    StagingStore store = new StagingStore(settings.forShard(shard), encoder.columns());
    try {
      store.ensureTables();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while preparing " + settings.table(), e);
    }
    var metrics = context.metricGroup();
    // The writer's own encoder, for the table's types: pre-encoded rows then stage only the columns they fill.
    return new ClickHouseSinkWriter<>(settings, shard, encoder.forColumnTypes(store.columnTypes()), store,
        context.getProcessingTimeService(), metrics.counter("sluiceRowsStaged"), metrics.counter("sluiceRowsUnencodable"),
        stagedInBackground);
  }

  @Override
  public Committer<StagedBatch> createCommitter(CommitterInitContext context) throws IOException {
    int subtask = context.getTaskInfo().getIndexOfThisSubtask();
    var deadLetteredRows = context.metricGroup().counter("sluiceRowsDeadLettered");
    var deadLetteredChunks = context.metricGroup().counter("sluiceChunksDeadLettered");
    ClickHouseCommitter committer = new ClickHouseCommitter(shard -> new StagingStore(settings.forShard(shard), encoder.columns())
        .onDeadLetter(rows -> {
          deadLetteredRows.inc(rows);
          deadLetteredChunks.inc();
        }));
    try {
      StagingStore home = committer.store(subtask % settings.shards());
      home.ensureTables();
      if (subtask < settings.shards()) { // one committer per shard cleans that shard's staging
        home.dropOrphans(ORPHAN_HORIZON_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while preparing " + settings.table(), e);
    }
    return committer;
  }

  @Override
  public SimpleVersionedSerializer<StagedBatch> getCommittableSerializer() {
    return new StagedBatchSerializer();
  }
}
