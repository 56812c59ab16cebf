package io.sluice.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time and resident memory of a process, from /proc, with what tells one process from the next under the same
 * name: its pid and its start time; and, for a JVM, the CPU time of each of its JIT compiler threads (by thread id), so
 * that a run's figure can be given without the compiling of a freshly started job. A process that is gone reads as
 * {@link #NONE}.
 */
record ProcessStats(long pid, long startTicks, long cpuTicks, long rssKiB, Map<Long, Long> compilerTicks) {
  /** USER_HZ: /proc reports CPU time in ticks of 1/100 s on Linux. */
  static final double TICKS_PER_SECOND = 100.0;
  static final ProcessStats NONE = new ProcessStats(0, 0, 0, 0);

  ProcessStats(long pid, long startTicks, long cpuTicks, long rssKiB) {
    this(pid, startTicks, cpuTicks, rssKiB, Map.of());
  }

  static ProcessStats of(long pid) {
    try {
      Path proc = Path.of("/proc", Long.toString(pid));
      String[] fields = fields(Files.readString(proc.resolve("stat")));
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
      long start = Long.parseLong(fields[19]); // starttime, in ticks since boot
      long rss = 0;
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D+", ""));
        }
      }
      // Only a JVM's threads are read: ClickHouse has hundreds, and the meter reads every 500 ms.
      boolean jvm = Files.readString(proc.resolve("comm")).strip().equals("java");
      return new ProcessStats(pid, start, ticks, rss, jvm ? compilerTicks(proc) : Map.of());
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }

  /** Each compiler thread's utime + stime; a thread gone between listing and reading is left out. */
  private static Map<Long, Long> compilerTicks(Path proc) {
    Map<Long, Long> ticks = new HashMap<>();
    ThreadGroups.read(proc, comm -> ThreadGroups.group(comm).equals("JIT"), false)
        .forEach((tid, thread) -> ticks.put(tid, thread.ticks()));
    return ticks;
  }

  /** The fields after the command name (which may hold spaces and parentheses). */
  static String[] fields(String stat) {
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  boolean alive() {
    return pid != 0;
  }

  /** The same process as {@code other} (not a new one that took its name or its pid). */
  boolean sameProcess(ProcessStats other) {
    return pid == other.pid && startTicks == other.startTicks;
  }

  /**
   * The compiler threads' CPU since {@code before}, a reading of the same process: a thread started since then counts
   * whole, one ended since then loses what it used after {@code before}.
   */
  long compilerTicksSince(ProcessStats before) {
    long sum = 0;
    for (Map.Entry<Long, Long> thread : compilerTicks.entrySet()) {
      sum += thread.getValue() - before.compilerTicks.getOrDefault(thread.getKey(), 0L);
    }
    return sum;
  }

  /** The compiler threads' CPU since they started. */
  long compilerTicksTotal() {
    return compilerTicks.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Percent of one core used between two readings of one process taken {@code seconds} apart. */
  static double cpuPercent(ProcessStats before, ProcessStats after, double seconds) {
    return before.sameProcess(after) ? (after.cpuTicks - before.cpuTicks) / TICKS_PER_SECOND / seconds * 100 : Double.NaN;
  }
}
