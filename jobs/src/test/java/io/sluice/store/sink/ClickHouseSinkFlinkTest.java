package io.sluice.store.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.jobs.SinkCheckJob;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.testing.RestartingEnvironment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

  @Test
  void aFailureMidStreamNeitherLosesNorDuplicatesRows() throws Exception {
    String database = TestClickHouse.newDatabase("sinkfail");
    SinkSettings settings = SinkSettings.of(TestClickHouse.url(), database, "ids").withChunkRows(5_000).withFlush(2_000, 1 << 20, 100);
    SinkCheckJob.createTable(settings);
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
        .sinkTo(new ClickHouseSink<>(settings, new SinkCheckJob.IdEncoder()));
    env.execute("sink-failure");

    assertTrue(FAILED_ONCE.get(), "the failure was injected");
    ClickHouseHttp db = new ClickHouseHttp(TestClickHouse.url(), database);
    assertEquals(rows + "\t" + rows + "\t0\t" + (rows - 1), db.execute(
        "SELECT count(), uniqExact(id), min(id), max(id) FROM ids FORMAT TabSeparated").strip());
    assertEquals("0", db.scalar("SELECT count() FROM ids WHERE value != id * 31 + 7"));
    assertTrue(Long.parseLong(db.scalar("SELECT uniqExact(ingest_batch) FROM ids")) > 2, "several checkpoints committed");
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
