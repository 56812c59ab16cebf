package io.sluice.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** CPU per process over a run, when a process is restarted under its name: never negative, the new one counted. */
class CpuMeterTest {
  @Test
  void aRestartCountsTheNewProcessWholeAndIsNeverNegative() {
    CpuAccount a = new CpuAccount();
    a.add(new ProcessStats(100, 5_000, 900, 1)); // the first reading is the baseline
    a.add(new ProcessStats(100, 5_000, 950, 1));
    a.add(ProcessStats.NONE); // killed
    a.add(new ProcessStats(200, 7_000, 30, 1)); // restarted: a new pid, 30 ticks so far
    a.add(new ProcessStats(200, 7_000, 70, 1));
    assertEquals((50 + 70) / ProcessStats.TICKS_PER_SECOND, a.cpuSeconds(), 1e-9);
    assertEquals(1, a.restarts());
    assertTrue(CpuMeter.microsPerRecord(a, 1000).endsWith("+ (1 restart)"));
  }

  @Test
  void aRecycledPidIsANewProcess() {
    CpuAccount a = new CpuAccount();
    a.add(new ProcessStats(100, 5_000, 900, 1));
    a.add(new ProcessStats(100, 6_000, 10, 1)); // same pid, later start time
    assertEquals(10 / ProcessStats.TICKS_PER_SECOND, a.cpuSeconds(), 1e-9);
    assertEquals(1, a.restarts());
  }

  @Test
  void aProcessStartedDuringTheRunCountsWhole() {
    CpuAccount a = new CpuAccount();
    a.add(ProcessStats.NONE);
    a.add(new ProcessStats(300, 8_000, 25, 1));
    assertEquals(25 / ProcessStats.TICKS_PER_SECOND, a.cpuSeconds(), 1e-9);
  }

  /** The JIT compiler threads' CPU, per thread: a new thread counts whole, an ended one never makes it negative. */
  @Test
  void theCompilerThreadsAreCountedApartPerThread() {
    CpuAccount a = new CpuAccount();
    a.add(new ProcessStats(100, 5_000, 900, 1, Map.of(11L, 400L, 12L, 100L)));
    a.add(new ProcessStats(100, 5_000, 1_000, 1, Map.of(11L, 420L, 12L, 130L, 13L, 5L))); // 13 started since
    a.add(new ProcessStats(100, 5_000, 1_100, 1, Map.of(11L, 440L))); // 12 and 13 ended since
    assertEquals((20 + 30 + 5 + 20) / ProcessStats.TICKS_PER_SECOND, a.jitSeconds(), 1e-9);
    assertEquals(200 / ProcessStats.TICKS_PER_SECOND, a.cpuSeconds(), 1e-9);
    assertEquals((200 - 75) * 1e6 / ProcessStats.TICKS_PER_SECOND / 1000, CpuMeter.microsLessJit(a, 1000), 1e-6);
    a.add(ProcessStats.NONE);
    a.add(new ProcessStats(200, 7_000, 50, 1, Map.of(21L, 30L))); // restarted: its compiling so far counts whole
    assertEquals((75 + 30) / ProcessStats.TICKS_PER_SECOND, a.jitSeconds(), 1e-9);
  }

  /** This test's own JVM has compiler threads and they are found; a shell has none. */
  @Test
  void aJvmsCompilerThreadsAreFoundInProc() throws Exception {
    ProcessStats jvm = ProcessStats.of(ProcessHandle.current().pid());
    assertTrue(jvm.alive());
    assertTrue(!jvm.compilerTicks().isEmpty(), "C1/C2 compiler threads of this JVM");
    Process shell = busy();
    try {
      ProcessStats sh = ProcessStats.of(shell.pid());
      assertTrue(sh.alive());
      assertTrue(sh.compilerTicks().isEmpty());
    } finally {
      shell.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** Real processes: a busy shell killed and another started under the same name while the meter reads. */
  @Test
  void followsARealProcessRestartedUnderItsName() throws Exception {
    AtomicReference<Process> current = new AtomicReference<>(busy());
    CpuMeter meter = new CpuMeter(Map.of("worker", () -> current.get().isAlive()
        ? OptionalLong.of(current.get().pid()) : OptionalLong.empty()));
    busyFor(current.get(), 0.2);
    current.get().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    Thread.sleep(700);
    current.set(busy());
    busyFor(current.get(), 0.2);
    CpuAccount worker = meter.stop().get("worker");
    current.get().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    assertEquals(1, worker.restarts());
    assertTrue(worker.cpuSeconds() > 0.1, "both processes' CPU counted: " + worker.cpuSeconds());
  }

  /**
   * Waits until the process has used this much CPU (its own /proc count), not for a fixed time: on a busy machine a
   * spinning shell may get a small share of a core.
   */
  private static void busyFor(Process p, double cpuSeconds) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 120_000;
    while (ProcessStats.of(p.pid()).cpuTicks() < cpuSeconds * ProcessStats.TICKS_PER_SECOND
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    Thread.sleep(1_000);  // two of the meter's readings (every 500 ms) while it runs
  }

  private static Process busy() throws Exception {
    return new ProcessBuilder("sh", "-c", "while :; do :; done").start();
  }
}
