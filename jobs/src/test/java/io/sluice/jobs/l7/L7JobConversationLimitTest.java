package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.l7.L7Problem;
import io.sluice.l7.bench.BenchPackets;
import io.sluice.testing.HostileInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The L7Job's {@code max-conversations} through the real bounded job (parallelism 2, so one open conversation per
 * subtask): 20 DNS exchanges on 20 client sockets, all within 40 ms of capture time, so that event time passes none
 * of them before the end of input and every admitted conversation holds its subtask's one place until then. Each
 * subtask joins the first conversation it sees; every packet of the others is counted as conversation_limit (in the
 * run's summary, from the job's accumulators) and gives no row.
 */
class L7JobConversationLimitTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final int CONVERSATIONS = 20;

  @Test
  void conversationsPastTheJobsCapAreCountedAndGiveNoRows(@TempDir Path dir) throws Exception {
    List<byte[]> packets = new ArrayList<>();
    for (int c = 0; c < CONVERSATIONS; c++) {
      String name = "c" + c + ".limit.example.com";
      packets.add(BenchPackets.udp4(0x0A000001 + c, 0x08080808, 40_000 + c, 53, BenchPackets.dns(c, name, false)));
      packets.add(BenchPackets.udp4(0x08080808, 0x0A000001 + c, 53, 40_000 + c, BenchPackets.dns(c, name, true)));
    }
    Path capture = dir.resolve("limit.pcap");
    HostileInputs.writePcap(capture, 1_700_000_000_000_000_000L, 101, 1_000_000L, packets);

    String cap = System.getProperty("sluice.jobMaxConversations", "2"); // the override shows the test fail
    L7Run run = L7Run.of(List.of(capture), stream -> stream, 1, Map.of(), Map.of("max-conversations", cap));
    long limited = run.summaries.values().stream().mapToLong(s -> s.problems.get(L7Problem.CONVERSATION_LIMIT)).sum();
    List<String> rows = List.of(run.db.execute("SELECT concat(qname, ' ', status) FROM dns ORDER BY qname")
        .trim().split("\n"));
    System.out.printf("L7Job conversation limit: %d conversations, cap %s: rows %s, %d packets counted%n",
        CONVERSATIONS, cap, rows, limited);
    assertTrue(rows.size() >= 1 && rows.size() <= 2, "one conversation per subtask at most: " + rows);
    Set<String> names = new HashSet<>();
    for (String row : rows) {
      String[] f = row.split(" ");
      assertTrue(f[0].matches("c[0-9]+\\.limit\\.example\\.com") && f[1].equals("answered"), "an answered query: " + row);
      names.add(f[0]);
    }
    assertEquals(rows.size(), names.size());
    assertEquals(2L * (CONVERSATIONS - rows.size()), limited, "both packets of every conversation not admitted");
  }
}
