package io.sluice.cli.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The steady window of a bounded job's run, from its readings of rows landed (times given, not measured). */
class SteadyStateTest {
  private static final long S = 1_000_000_000L;

  @Test
  void theWindowRunsFromTheFirstReadingPastTenPercentToTheFirstPastNinety() throws Exception {
    SteadyState s = new SteadyState(1_000, 0, Map.of());
    s.landed(0, 5 * S);
    s.landed(50, 6 * S); // start-up ends: first rows
    s.landed(200, 7 * S); // window opens
    s.landed(600, 8 * S);
    s.landed(950, 9 * S); // window closes: 750 rows in 2 s
    s.landed(1_000, 10 * S);
    s.close();
    String printed = print(s, 3_000, 1_000); // 3 packets per row
    assertTrue(printed.contains("Start-up (submission to the first rows in ClickHouse): 6.0 s"), printed);
    assertTrue(printed.contains("200 to 950 rows landed, 2.0 s, rows rose at 2 readings; ~2,250 packets"), printed);
    assertTrue(printed.contains("fewer than 3 readings in the window"), printed);
    assertTrue(printed.contains("1,125 packets/s, 375 rows/s"), printed);
    assertTrue(printed.contains("less JIT"), "the steady CPU is also given without the compiler threads: " + printed);
  }

  /** A reading with no new rows (between two commits) is not counted. */
  @Test
  void theWindowCountsTheReadingsWhereRowsRose() throws Exception {
    SteadyState s = new SteadyState(1_000, 0, Map.of());
    long[] readings = {0, 150, 150, 300, 300, 450, 600, 600, 750, 950};
    for (int i = 0; i < readings.length; i++) {
      s.landed(readings[i], (i + 1) * S);
    }
    s.close();
    String printed = print(s, 3_000, 1_000);
    assertTrue(printed.contains("150 to 950 rows landed, 8.0 s, rows rose at 5 readings;"), printed);
    assertTrue(!printed.contains("fewer than 3 readings"), printed);
  }

  /** All rows at once, or a window that never closes (readings one second apart): no steady figures. */
  @Test
  void withoutTwoReadingsInsideTheWindowThereAreNoSteadyFigures() throws Exception {
    for (long[] readings : new long[][] {{0, 1_000}, {300, 800}}) {
      SteadyState s = new SteadyState(1_000, 0, Map.of());
      for (int i = 0; i < readings.length; i++) {
        s.landed(readings[i], (i + 1) * S);
      }
      s.close();
      assertTrue(print(s, 3_000, 1_000).contains("Steady state: n/a"), java.util.Arrays.toString(readings));
    }
  }

  private static String print(SteadyState s, long packets, long rows) {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    s.print(out, packets, rows);
    out.flush();
    return text.toString();
  }
}
