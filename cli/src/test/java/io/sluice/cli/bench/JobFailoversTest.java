package io.sluice.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JobFailoversTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eachFailoverWithItsTimeTaskAndInnermostCause() throws Exception {
    String body = """
        {"exceptionHistory": {"truncated": false, "entries": [
          {"exceptionName": "java.lang.RuntimeException: One or more fetchers have encountered exception",
           "timestamp": 1700000091500, "taskName": "Source: sluice.packets.raw -> triage (1/2)",
           "stacktrace": "java.lang.RuntimeException: One or more fetchers\\n\\tat x.y(Z.java:1)\\nCaused by: java.lang.RuntimeException: SplitFetcher thread 0 received unexpected exception\\n\\tat a.b(C.java:2)\\nCaused by: java.lang.IllegalStateException: No current assignment for partition p-0\\n\\tat d.e(F.java:3)"},
          {"exceptionName": "java.io.IOException: gone", "timestamp": 1700000030000, "stacktrace": "java.io.IOException: gone"}
        ]}}""";
    JobFailovers f = JobFailovers.of(JSON.readTree(body), 1_700_000_000_000L);
    assertEquals(2, f.failovers().size());
    assertEquals(new JobFailovers.Failover(30.0, "(the job)", "java.io.IOException: gone"), f.failovers().get(0));
    assertEquals(new JobFailovers.Failover(91.5, "Source: sluice.packets.raw -> triage (1/2)",
        "java.lang.IllegalStateException: No current assignment for partition p-0"), f.failovers().get(1));
    assertTrue(f.line().startsWith("Failovers during the L7Job: 2 "), f.line());
    assertTrue(f.line().contains("- at 91.5 s, Source: sluice.packets.raw -> triage (1/2): java.lang.IllegalStateException"), f.line());
  }

  @Test
  void noneWhenTheHistoryIsEmptyOrMissing() throws Exception {
    assertEquals("Failovers during the L7Job: 0.",
        JobFailovers.of(JSON.readTree("{\"exceptionHistory\": {\"entries\": [], \"truncated\": false}}"), 0).line());
    assertEquals(0, JobFailovers.of(JSON.readTree("{}"), 0).failovers().size());
  }
}
