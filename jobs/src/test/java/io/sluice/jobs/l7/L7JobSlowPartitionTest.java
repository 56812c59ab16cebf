package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.l7.L7Problem;
import io.sluice.l7.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bounded L7Job with one Kafka partition's first fetch held back 12 s ({@link StallFirstFetch}), as on a machine
 * at load 40: no packet may come after event time has passed it, and every capture's rows still equal tshark's.
 * With an idle timeout on the bounded sources the other partitions moved the watermark past the held one's packets
 * (queries stored unanswered, TCP exchanges lost). About 20 s here, most of it the 12 s stall, which must outlast
 * that timeout.
 */
class L7JobSlowPartitionTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @Test
  void aPartitionHeldBackPastTheOldIdleTimeoutLosesNothing() throws Exception {
    List<Path> captures = Fixtures.l7Captures();
    L7Run run = L7Run.of(captures, stream -> stream, 1, Map.of(
        "interceptor.classes", StallFirstFetch.class.getName(),
        "max.poll.records", "100"));
    long late = run.summaries.values().stream().mapToLong(s -> s.problems.get(L7Problem.PACKET_LATE)).sum();
    assertEquals(0, late, "packets that reached the join after event time had passed them");
    L7JobTest.assertOracleRows(run, captures);
  }
}
