package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.stack.Ports;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CliUsageTest {
  @ParameterizedTest
  @ValueSource(strings = {"", "up", "down", "status", "db", "db migrate", "submit", "query"})
  void everyCommandHasHelp(String command) {
    String[] args = (command + " --help").strip().split(" ");
    CliRun run = CliRun.of(args);
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().startsWith("Usage: sluice"), run.toString());
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    CliRun run = CliRun.of("frobnicate");
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.err().contains("Unmatched argument at index 0: 'frobnicate'"), run.toString());
  }

  @Test
  void aBadPortSaysWhatIsWrong() {
    CliRun run = CliRun.of("status", "--kafka-port", "ninety");
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.err().contains("--kafka-port") && run.err().contains("ninety"), run.toString());
  }

  @Test
  void aBadCaptureAttachModeNamesTheGoodOnes() {
    CliRun run = CliRun.of("capture", "--tc-attach", "xdp");
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.err().contains("--tc-attach must be auto, tcx or clsact, got xdp"), run.toString());
  }

  @Test
  void anUnknownJobNamesTheKnownOnes() {
    CliRun run = CliRun.of("submit", "no-such-job");
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.err().contains("Unknown job 'no-such-job'") && run.err().contains("cluster-check"), run.toString());
  }

  @Test
  void aMissingCommandIsAUsageError() {
    CliRun run = CliRun.of("db");
    assertEquals(2, run.exitCode(), run.toString());
    assertTrue(run.err().contains("Missing a db command"), run.toString());
  }

  @Test
  void anUnreachableClickHouseIsOneClearLine() {
    CliRun run = CliRun.of("query", "--clickhouse", "http://127.0.0.1:" + Ports.free(), "SELECT 1");
    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(run.err().startsWith("error: cannot reach ClickHouse at http://127.0.0.1:"), run.toString());
    assertEquals(1, run.err().strip().lines().count(), run.toString());
  }
}
