package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.submit.FlinkRest;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.FlinkService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the TaskManager of a real standalone Flink cluster in the middle of a 1,000,000-row stream into
 * ClickHouse: after the restart from the last checkpoint, every row is there exactly once.
 */
class SinkCrashTest {
  private ClickHouseService clickhouse;
  private FlinkService flink;
  private StackSettings settings;

  @AfterEach
  void stop() {
    if (flink != null) {
      flink.stop();
    }
    if (clickhouse != null) {
      clickhouse.stop();
    }
    if (settings != null) {
      TestStack.deleteTree(settings.workDir()); // after both stopped
    }
  }

  @Test
  void taskManagerKilledMidStreamLosesAndDuplicatesNothing() throws Exception {
    settings = TestStack.settings();
    clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    flink = TestStack.start(new FlinkService(settings), 120_000);
    long rows = 1_000_000;
    CliRun run = CliRun.of("submit", "--flink", settings.flinkUrl(), "--jar", LocalStackTest.shadedJobJar().toString(),
        "sink-check", "clickhouse=" + settings.clickhouseUrl(), "database=crash", "table=ids", "rows=" + rows,
        "rate=50000", "checkpoint-ms=1000");
    assertEquals(0, run.exitCode(), run.toString());
    String jobId = run.out().replaceAll("(?s).*as job ([0-9a-f]{32}).*", "$1");
    ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), "crash");

    long landed = waitForRows(db, rows / 5, 120_000);
    assertTrue(landed < rows, "killed before the end: " + landed + " rows in");
    long killed = flink.taskManagerProcess().kill();
    assertFalse(ProcessHandle.of(killed).map(ProcessHandle::isAlive).orElse(false), "pid " + killed + " is dead");
    flink.start(); // a fresh TaskManager; the job restarts on it from the last checkpoint

    FlinkRest rest = new FlinkRest(settings.flinkUrl());
    String state = rest.jobState(jobId);
    long deadline = System.currentTimeMillis() + 240_000;
    while (!state.equals("FINISHED") && System.currentTimeMillis() < deadline) {
      assertFalse(Set.of("FAILED", "CANCELED").contains(state), "job " + state);
      Thread.sleep(500);
      state = rest.jobState(jobId);
    }
    assertEquals("FINISHED", state);
    assertTrue(restarts(rest, jobId) >= 1, "the job restarted from a checkpoint after losing its TaskManager");
    assertEquals(List.of(List.of(Long.toString(rows), Long.toString(rows), "0", Long.toString(rows - 1))),
        db.query("SELECT count(), uniqExact(id), min(id), max(id) FROM ids").rows());
    assertEquals("0", db.scalar("SELECT count() FROM ids WHERE value != id * 31 + 7"));
  }

  private static long restarts(FlinkRest rest, String jobId) throws Exception {
    return rest.get("/jobs/" + jobId + "/checkpoints").path("counts").path("restored").asLong();
  }

  private static long waitForRows(ClickHouseHttp db, long atLeast, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      try {
        long n = Long.parseLong(db.scalar("SELECT count() FROM ids"));
        if (n >= atLeast) {
          return n;
        }
      } catch (RuntimeException notYetCreated) {
        // the job creates the table when it starts
      }
      Thread.sleep(200);
    }
    throw new AssertionError("fewer than " + atLeast + " rows after " + timeoutMillis + " ms");
  }
}
