package io.sluice.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a process, from /proc. */
record ProcessStats(long cpuTicks, long rssKiB) {
  /** USER_HZ: /proc reports CPU time in ticks of 1/100 s on Linux. */
  static final double TICKS_PER_SECOND = 100.0;

  static ProcessStats of(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
      long rss = 0;
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("\\D+", ""));
        }
      }
      return new ProcessStats(ticks, rss);
    } catch (IOException | RuntimeException e) {
      return new ProcessStats(0, 0);
    }
  }

  /** Percent of one core used between two readings taken {@code seconds} apart. */
  static double cpuPercent(ProcessStats before, ProcessStats after, double seconds) {
    return (after.cpuTicks - before.cpuTicks) / TICKS_PER_SECOND / seconds * 100;
  }
}
