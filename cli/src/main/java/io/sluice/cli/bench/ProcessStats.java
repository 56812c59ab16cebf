package io.sluice.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, from /proc, with what tells one process from the next under the same
 * name: its pid and its start time. A process that is gone reads as {@link #NONE}.
 */
record ProcessStats(long pid, long startTicks, long cpuTicks, long rssKiB) {
  /** USER_HZ: /proc reports CPU time in ticks of 1/100 s on Linux. */
  static final double TICKS_PER_SECOND = 100.0;
  static final ProcessStats NONE = new ProcessStats(0, 0, 0, 0);

  static ProcessStats of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
      long start = Long.parseLong(fields[19]); // starttime, in ticks since boot
      long rss = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D+", ""));
        }
      }
      return new ProcessStats(pid, start, ticks, rss);
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }

  boolean alive() {
    return pid != 0;
  }

  /** The same process as {@code other} (not a new one that took its name or its pid). */
  boolean sameProcess(ProcessStats other) {
    return pid == other.pid && startTicks == other.startTicks;
  }

  /** Percent of one core used between two readings of one process taken {@code seconds} apart. */
  static double cpuPercent(ProcessStats before, ProcessStats after, double seconds) {
    return before.sameProcess(after) ? (after.cpuTicks - before.cpuTicks) / TICKS_PER_SECOND / seconds * 100 : Double.NaN;
  }
}
