package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.l7.Fixtures;
import io.sluice.l7.L7Oracle;
import io.sluice.l7.L7Summary;
import io.sluice.testing.FailOnceAfterCheckpoint;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every L7 capture replayed through a real Kafka broker, the L7Job in a Flink MiniCluster and the exactly-once
 * sink into a real ClickHouse: the stored rows and the job's totals must equal tshark's, as the offline tests
 * require of `sluice l7` (same comparison, same documented exceptions).
 */
class L7JobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @Test
  void everyCaptureLandsInClickHouseAsTsharkSeesIt() throws Exception {
    List<Path> captures = Fixtures.l7Captures();
    assertEquals(21, captures.size(), "the shared L7 fixtures");
    L7Run run = L7Run.of(captures, stream -> stream);
    assertOracleRows(run, captures);
  }

  /** The loader's batched form (CapturedPacketBatch, several packets per record) gives the same rows. */
  @Test
  void batchedPacketsGiveTheSameRows() throws Exception {
    List<Path> captures = Fixtures.l7Captures();
    L7Run run = L7Run.of(captures, stream -> stream, 50);
    assertOracleRows(run, captures);
  }

  @Test
  void aFailureMidStreamStillGivesExactlyTheOracleRows() throws Exception {
    FailOnceAfterCheckpoint.reset();
    List<Path> captures = Fixtures.l7Captures();
    L7Run run = L7Run.of(captures, stream -> stream.map(new FailOnceAfterCheckpoint<CapturedFrame>(8_000)).name("fail once"));
    assertTrue(FailOnceAfterCheckpoint.failed(), "the failure was injected");
    assertOracleRows(run, captures);
  }

  static void assertOracleRows(L7Run run, List<Path> captures) throws Exception {
    for (Path capture : captures) {
      String node = L7Run.node(capture);
      L7Summary summary = run.summaries.getOrDefault(node, new L7Summary());
      if (L7Oracle.hasDns(capture)) {
        L7Oracle.checkDns(capture, StoredRows.dns(run.db, node), summary);
      }
      if (L7Oracle.hasHttp(capture)) {
        L7Oracle.checkHttp(capture, StoredRows.http(run.db, node), summary);
      }
    }
    long frames = run.summaries.values().stream().mapToLong(s -> s.frames).sum();
    assertEquals(run.packets, frames, "every replayed frame counted once");
  }
}
