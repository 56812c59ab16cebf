package io.sluice.cli.bench;

/**
 * The CPU one named process (collector, TaskManager, …) used over a run, from readings taken every so often. When the
 * process under the name is a new one (restarted: another pid or start time, or none at the run's first reading), the
 * new one's whole CPU time counts and the old one's since the reading before is lost (at most one interval); the
 * restart is counted, so the figure is never negative and says when it is a lower bound. Of that CPU, what a JVM's
 * JIT compiler threads used is kept apart too ({@link #jitSeconds()}).
 */
final class CpuAccount {
  private boolean began;
  private ProcessStats last;
  private long ticks;
  private long jitTicks;
  private int restarts;
  private long rssKiB;

  /** A reading; {@link ProcessStats#NONE} while no process runs under the name. */
  void add(ProcessStats now) {
    boolean first = !began;
    began = true;
    if (!now.alive()) {
      return;
    }
    if (last != null && now.sameProcess(last)) {
      ticks += now.cpuTicks() - last.cpuTicks();
      jitTicks += now.compilerTicksSince(last);
    } else if (!first) {
      ticks += now.cpuTicks(); // started since the reading before: all of its CPU time is in the run
      jitTicks += now.compilerTicksTotal();
      restarts++;
    }
    last = now;
    rssKiB = now.rssKiB();
  }

  double cpuSeconds() {
    return ticks / ProcessStats.TICKS_PER_SECOND;
  }

  /** Of {@link #cpuSeconds()}, the JIT compiler threads' (0 for a process that is not a JVM). */
  double jitSeconds() {
    return jitTicks / ProcessStats.TICKS_PER_SECOND;
  }

  int restarts() {
    return restarts;
  }

  long rssKiB() {
    return rssKiB;
  }
}
