package io.sluice.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A TaskManager's CPU by thread group, from /proc/&lt;pid&gt;/task/*&#47;stat: the L7Job's task threads (named after
 * their operator chains, cut to 15 characters by the kernel), the Kafka source's fetchers, the collector, the JIT and
 * the rest; and the time each group's threads waited for a core while runnable (/proc/&lt;pid&gt;/task/*&#47;schedstat):
 * a task thread that Flink counts busy but that neither ran nor waited for a core was blocked (I/O, a lock, a pause).
 */
final class ThreadGroups {
  static final List<String> GROUPS = List.of("source", "fetcher", "reassemble", "join+sink", "GC", "JIT", "other");

  private ThreadGroups() {}

  /** A thread's group from its name as /proc gives it. */
  static String group(String comm) {
    if (comm.startsWith("Source Data Fet")) {
      return "fetcher";
    }
    if (comm.startsWith("Source: ")) {
      return "source";
    }
    if (comm.startsWith("reassemble")) {
      return "reassemble";
    }
    if (comm.startsWith("join")) {
      return "join+sink";
    }
    // ParallelGC's and G1's workers, and the VM thread that runs the collections' safepoints.
    if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread")) {
      return "GC";
    }
    if (comm.contains("CompilerThre")) {
      return "JIT";
    }
    return "other";
  }

  /** A thread's name, its CPU time (utime + stime, in ticks) and its time runnable but waiting for a core (ns). */
  record Thread(String comm, long ticks, long waitNs) {}

  /** Group totals between two readings: CPU ticks and ns waited for a core. */
  record Use(long ticks, long waitNs, int threads) {}

  /** Thread id to its reading; empty when the process is gone. */
  static Map<Long, Thread> read(long pid) {
    return read(Path.of("/proc", Long.toString(pid)), comm -> true, true);
  }

  /**
   * The threads whose name passes {@code keep}, with the time they waited for a core only when {@code waits} (one
   * file more per thread); a thread gone between listing and reading is left out.
   */
  static Map<Long, Thread> read(Path proc, Predicate<String> keep, boolean waits) {
    Map<Long, Thread> threads = new HashMap<>();
    try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (!keep.test(comm)) {
            return;
          }
          String[] fields = ProcessStats.fields(stat);
          long waitNs = waits ? Long.parseLong(Files.readString(task.resolve("schedstat")).strip().split(" ")[1]) : 0;
          threads.put(Long.parseLong(task.getFileName().toString()),
              new Thread(comm, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), waitNs));
        } catch (IOException | RuntimeException gone) {
          // the thread ended
        }
      });
    } catch (IOException | RuntimeException gone) {
      // the process ended
    }
    return threads;
  }

  /**
   * Ticks per group between two readings of one process: a thread started since {@code before} counts whole, one
   * ended since loses what it used after {@code before}.
   */
  static Map<String, Use> since(Map<Long, Thread> before, Map<Long, Thread> after) {
    Map<String, Use> use = new LinkedHashMap<>();
    GROUPS.forEach(g -> use.put(g, new Use(0, 0, 0)));
    after.forEach((tid, thread) -> {
      Thread old = before.get(tid);
      boolean same = old != null && old.comm().equals(thread.comm());
      Use d = new Use(Math.max(0, thread.ticks() - (same ? old.ticks() : 0)),
          Math.max(0, thread.waitNs() - (same ? old.waitNs() : 0)), 1);
      use.merge(group(thread.comm()), d,
          (a, b) -> new Use(a.ticks() + b.ticks(), a.waitNs() + b.waitNs(), a.threads() + b.threads()));
    });
    return use;
  }
}
