package io.sluice.cli.bench;

import io.sluice.cli.TablePrinter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * A bounded job's start-up apart from its steady state, from the rows it has committed as it runs: start-up is
 * submission to the first rows; the steady window runs from the first reading at or past 10 % of the expected rows
 * to the first at or past 90 %, with the processes' CPU measured over that window alone. The job's JIT compilation,
 * deployment, first checkpoint and final flush fall outside the window. Rows land at checkpoints, so the window's
 * edges are as coarse as the checkpoint interval: it needs several checkpoints' worth of rows, and it prints at how
 * many of its readings the rows rose (about one per checkpoint; the tables' sinks may commit at readings apart).
 */
final class SteadyState implements AutoCloseable {
  private final long expectedRows;
  private final long startNs;
  private final Map<String, Supplier<OptionalLong>> pids;
  private long firstRowsNs = -1;
  private long lowNs = -1;
  private long lowRows;
  private long highNs = -1;
  private long highRows;
  private long lastRows;
  /** Readings inside the window (after its first, up to its last) where the rows rose. */
  private int rises;
  private CpuMeter meter;
  private Map<String, CpuAccount> cpu;

  SteadyState(long expectedRows, long startNs, Map<String, Supplier<OptionalLong>> pids) {
    this.expectedRows = expectedRows;
    this.startNs = startNs;
    this.pids = pids;
  }

  /** A reading: {@code rows} committed at {@code nowNs}. */
  void landed(long rows, long nowNs) throws InterruptedException {
    if (rows > 0 && firstRowsNs < 0) {
      firstRowsNs = nowNs;
    }
    if (meter == null && rows * 10 >= expectedRows && rows * 10 < expectedRows * 9) {
      lowNs = nowNs;
      lowRows = rows;
      meter = new CpuMeter(pids);
    } else if (meter != null && cpu == null) {
      if (rows > lastRows) {
        rises++;
      }
      if (rows * 10 >= expectedRows * 9) {
        highNs = nowNs;
        highRows = rows;
        cpu = meter.stop();
      }
    }
    lastRows = rows;
  }

  @Override
  public void close() throws InterruptedException {
    if (meter != null && cpu == null) {
      meter.stop(); // the job ended inside the window: no steady figures
    }
  }

  void print(PrintWriter out, long packets, long rows) {
    out.printf(Locale.ROOT, "Start-up (submission to the first rows in ClickHouse): %s%n",
        firstRowsNs < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f s", (firstRowsNs - startNs) / 1e9));
    if (cpu == null || highRows <= lowRows) {
      out.println("Steady state: n/a (fewer than two readings between 10 % and 90 % of the rows; use more --copies)");
      return;
    }
    double seconds = (highNs - lowNs) / 1e9;
    long windowRows = highRows - lowRows;
    // Packets in the window, estimated from its rows at the run's packets per row.
    long windowPackets = Math.round(windowRows * (double) packets / rows);
    out.printf(Locale.ROOT, "Steady state (%,d to %,d rows landed, %.1f s, rows rose at %d readings; ~%,d packets at the run's %.2f"
        + " packets per row): %,.0f packets/s, %,.0f rows/s%n", lowRows, highRows, seconds, rises, windowPackets,
        (double) packets / rows, windowPackets / seconds, windowRows / seconds);
    if (rises < 3) {
      out.println("(rows rose at fewer than 3 readings in the window: its edges are as coarse as the checkpoint"
          + " interval; use more --copies)");
    }
    List<List<String>> table = new ArrayList<>();
    for (String name : pids.keySet()) {
      table.add(List.of(name.equals("generator") ? "sluice bench" : name,
          CpuMeter.microsPerRecord(cpu.get(name), windowPackets),
          String.format(Locale.ROOT, "%.2f", CpuMeter.microsLessJit(cpu.get(name), windowPackets))));
    }
    // A freshly submitted job is still being compiled in the window: the same CPU without the JVMs' compiler threads.
    TablePrinter.print(out, List.of("process", "steady state, µs CPU per packet", "less JIT"), table);
  }
}
