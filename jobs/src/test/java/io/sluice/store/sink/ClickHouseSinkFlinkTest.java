package io.sluice.store.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.jobs.SinkCheckJob;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.testing.RestartingEnvironment;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.CustomSinkOperatorUidHashes;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.StringUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sink in a real Flink MiniCluster against a real ClickHouse, with failures injected. */
class ClickHouseSinkFlinkTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** Static: the operator instance is recreated on restart, the flag must survive it. */
  static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

  private static StreamExecutionEnvironment env(long checkpointMs) {
    return RestartingEnvironment.create(100, checkpointMs);
  }

  /** A fresh database with the check job's {@code ids} table, and a sink that stages and commits it in small pieces. */
  private static SinkSettings idsTable(String prefix) {
    SinkSettings settings = SinkSettings.of(TestClickHouse.url(), TestClickHouse.newDatabase(prefix), "ids")
        .withChunkRows(5_000).withFlush(2_000, 1 << 20, 100);
    SinkCheckJob.createTable(settings);
    return settings;
  }

  /** Ids 0 to rows - 1 each landed once, with their value. */
  private static ClickHouseHttp assertEveryIdOnce(SinkSettings settings, long rows) {
    ClickHouseHttp db = new ClickHouseHttp(settings.url(), settings.database());
    assertEquals(rows + "\t" + rows + "\t0\t" + (rows - 1), db.execute(
        "SELECT count(), uniqExact(id), min(id), max(id) FROM ids FORMAT TabSeparated").strip());
    assertEquals("0", db.scalar("SELECT count() FROM ids WHERE value != id * 31 + 7"));
    return db;
  }

  /** Also with the committer in a task of its own ({@link ClickHouseSink#committedApart()}, as the L7Job has it). */
  @ParameterizedTest(name = "committed apart: {0}")
  @ValueSource(booleans = {false, true})
  void aFailureMidStreamNeitherLosesNorDuplicatesRows(boolean committedApart) throws Exception {
    SinkSettings settings = idsTable("sinkfail");
    long rows = 60_000;
    FAILED_ONCE.set(false);
    StreamExecutionEnvironment env = env(200);
    SinkCheckJob.pipeline(env, rows, 20_000)
        .map(id -> {
          if (id == 37_000 && FAILED_ONCE.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure at id 37000");
          }
          return id;
        })
        .sinkTo(committedApart ? new ClickHouseSink<>(settings, new SinkCheckJob.IdEncoder()).committedApart()
            : new ClickHouseSink<>(settings, new SinkCheckJob.IdEncoder()));
    env.execute("sink-failure");

    assertTrue(FAILED_ONCE.get(), "the failure was injected");
    ClickHouseHttp db = assertEveryIdOnce(settings, rows);
    assertTrue(Long.parseLong(db.scalar("SELECT uniqExact(ingest_batch) FROM ids")) > 2, "several checkpoints committed");
  }

  /** Static, as {@link #FAILED_ONCE}: set when the one bad row was written. */
  static final AtomicBoolean BAD_ROW_ONCE = new AtomicBoolean();

  /**
   * A staging insert that ClickHouse refuses fails the job although it ran on the writer's staging thread, and the
   * restart from the checkpoint lands every row once: no buffer is lost with its insert. Id 41,000 is written once
   * without its value column, so the insert holding it cannot be parsed (not a transient error).
   */
  @Test
  void aStagingInsertRefusedInTheBackgroundFailsTheJobAndLosesNothing() throws Exception {
    SinkSettings settings = idsTable("sinkbad");
    long rows = 60_000;
    BAD_ROW_ONCE.set(false);
    StreamExecutionEnvironment env = env(200);
    SinkCheckJob.pipeline(env, rows, 20_000).sinkTo(new ClickHouseSink<>(settings, new BadOnceEncoder()).stagedInBackground());
    env.execute("sink-refused-insert");

    assertTrue(BAD_ROW_ONCE.get(), "the bad row was written");
    assertEveryIdOnce(settings, rows);
  }

  static final class BadOnceEncoder implements RowEncoder<Long> {
    private final SinkCheckJob.IdEncoder rows = new SinkCheckJob.IdEncoder();

    @Override
    public java.util.List<String> columns() {
      return rows.columns();
    }

    @Override
    public void encode(Long id, RowBinary out) {
      if (id == 41_000 && BAD_ROW_ONCE.compareAndSet(false, true)) {
        out.uint64(id); // no value column: every later row of this insert is 8 bytes out of step
        return;
      }
      rows.encode(id, out);
    }
  }

  /**
   * A savepoint taken with the committer chained to its writer (the sink as jobs ran it up to 03f818a) restores
   * into the sink committed apart once its committer keeps the chained committer's operator id, and every row lands
   * once. Without that id the restore fails: the committer's state would have nowhere to go.
   */
  @Test
  void aSavepointOfTheChainedSinkRestoresIntoTheSinkCommittedApart(@TempDir Path dir) throws Exception {
    SinkSettings settings = idsTable("sinkapart");
    ClickHouseHttp db = new ClickHouseHttp(settings.url(), settings.database());
    long rows = 40_000;

    StreamExecutionEnvironment chained = env(200);
    SinkCheckJob.pipeline(chained, rows, 2_000).sinkTo(new ClickHouseSink<>(settings, new SinkCheckJob.IdEncoder())).name("ids");
    StreamGraph chainedGraph = chained.getStreamGraph();
    String committerId = null;
    for (Map.Entry<Integer, byte[]> node : new StreamGraphHasherV2().traverseStreamGraphAndGenerateHashes(chainedGraph).entrySet()) {
      if (chainedGraph.getStreamNode(node.getKey()).getOperatorName().endsWith("Committer")) {
        committerId = StringUtils.byteToHexString(node.getValue());
      }
    }
    assertTrue(committerId != null, "the chained graph has a committer");
    JobClient first = chained.executeAsync(chainedGraph);
    long deadline = System.currentTimeMillis() + 120_000;
    while (Long.parseLong(db.scalar("SELECT count() FROM ids")) == 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    String savepoint = first.stopWithSavepoint(false, dir.toUri().toString(), SavepointFormatType.CANONICAL).get();
    // Usually mid-stream (the source takes 20 s); the committer has state to restore either way.
    long landed = Long.parseLong(db.scalar("SELECT count() FROM ids"));
    assertTrue(landed > 0, "rows landed before the savepoint");
    System.out.printf("savepoint after %d of %d rows%n", landed, rows);

    StreamExecutionEnvironment apart = env(200);
    SinkCheckJob.pipeline(apart, rows, 20_000).sinkTo(new ClickHouseSink<>(settings, new SinkCheckJob.IdEncoder()).committedApart(),
        CustomSinkOperatorUidHashes.builder().setCommitterUidHash(committerId).build()).name("ids");
    StreamGraph apartGraph = apart.getStreamGraph();
    apartGraph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    apart.executeAsync(apartGraph).getJobExecutionResult().get(5, TimeUnit.MINUTES);
    assertEquals(rows + "\t" + rows, db.execute("SELECT count(), uniqExact(id) FROM ids FORMAT TabSeparated").strip());
  }

  @Test
  void clickHouseDownForThirtySecondsLosesNothing() throws Exception {
    var stackSettings = TestStack.settings();
    ClickHouseService server = TestStack.start(new ClickHouseService(stackSettings), 60_000);
    try {
      String url = stackSettings.clickhouseUrl();
      SinkSettings settings = SinkSettings.of(url, "outage", "ids").withChunkRows(5_000).withFlush(2_000, 1 << 20, 100);
      SinkCheckJob.createTable(settings);
      long rows = 50_000;
      StreamExecutionEnvironment env = env(500);
      SinkCheckJob.pipeline(env, rows, 2_500).sinkTo(new ClickHouseSink<>(settings, new SinkCheckJob.IdEncoder()));
      CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
        try {
          env.execute("sink-outage");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      ClickHouseHttp db = new ClickHouseHttp(url, "outage");
      long deadline = System.currentTimeMillis() + 60_000;
      while (Long.parseLong(db.scalar("SELECT count() FROM ids")) == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      long before = Long.parseLong(db.scalar("SELECT count() FROM ids"));
      assertTrue(before > 0 && before < rows, "stopped mid-stream, " + before + " rows in");
      server.stop();
      Thread.sleep(30_000);
      TestStack.start(server, 60_000);
      job.get(5, TimeUnit.MINUTES);
      assertEquals(rows + "\t" + rows, db.execute("SELECT count(), uniqExact(id) FROM ids FORMAT TabSeparated").strip());
    } finally {
      TestStack.stopAndDelete(stackSettings, server);
    }
  }
}
