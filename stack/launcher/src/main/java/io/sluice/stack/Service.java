package io.sluice.stack;

import java.nio.file.Path;
import java.util.List;

/** One service of the local stack: it may run as several processes (Flink: JobManager and TaskManager). */
public interface Service {
  String name();

  /** Starts whatever is not already running; returns without waiting for health. */
  void start();

  Health health();

  String endpoint();

  Path logFile();

  List<ManagedProcess> processes();

  default boolean isRunning() {
    return processes().stream().anyMatch(ManagedProcess::isRunning);
  }

  /** Stops in reverse start order; returns how many processes were running. */
  default int stop() {
    int stopped = 0;
    List<ManagedProcess> all = processes();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).stop(15_000)) {
        stopped++;
      }
    }
    return stopped;
  }

  record Health(boolean healthy, String detail) {
    static Health up(String detail) {
      return new Health(true, detail);
    }

    static Health down(String detail) {
      return new Health(false, detail);
    }
  }
}
