package io.sluice.cli.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * CPU per process over a run: each named process is looked up again at every reading (every 500 ms), so a process
 * restarted during the run is followed to its new pid ({@link CpuAccount}).
 */
final class CpuMeter implements AutoCloseable {
  private static final long EVERY_MS = 500;

  private final Map<String, Supplier<OptionalLong>> pids;
  private final Map<String, CpuAccount> accounts = new LinkedHashMap<>();
  private final Thread sampler;
  private volatile boolean running = true;

  /** {@code pids}: the current pid of each process by name (empty while none runs). */
  CpuMeter(Map<String, Supplier<OptionalLong>> pids) {
    this.pids = new LinkedHashMap<>(pids);
    this.pids.keySet().forEach(name -> accounts.put(name, new CpuAccount()));
    read();
    sampler = new Thread(() -> {
      while (running) {
        try {
          Thread.sleep(EVERY_MS);
        } catch (InterruptedException e) {
          return;
        }
        read();
      }
    }, "cpu-meter");
    sampler.setDaemon(true);
    sampler.start();
  }

  private synchronized void read() {
    pids.forEach((name, pid) -> {
      OptionalLong p = pid.get();
      accounts.get(name).add(p.isPresent() ? ProcessStats.of(p.getAsLong()) : ProcessStats.NONE);
    });
  }

  /** Stops reading (after a last reading) and returns each process's account. */
  Map<String, CpuAccount> stop() throws InterruptedException {
    running = false;
    sampler.interrupt();
    sampler.join();
    read();
    return accounts;
  }

  @Override
  public void close() throws InterruptedException {
    if (running) {
      stop();
    }
  }

  /** µs of CPU per record; NaN when no record was worked on. */
  static double micros(CpuAccount a, long records) {
    return records <= 0 ? Double.NaN : a.cpuSeconds() * 1e6 / records;
  }

  /** µs of CPU per record without the JIT compiler threads'; NaN when no record was worked on. */
  static double microsLessJit(CpuAccount a, long records) {
    return records <= 0 ? Double.NaN : (a.cpuSeconds() - a.jitSeconds()) * 1e6 / records;
  }

  /** µs of CPU per record (or packet), with "+" when a restart lost up to one interval of the old process's time. */
  static String microsPerRecord(CpuAccount a, long records) {
    if (records <= 0) {
      return "n/a";
    }
    String us = String.format(Locale.ROOT, "%.2f", micros(a, records));
    return a.restarts() == 0 ? us : us + "+ (" + a.restarts() + " restart" + (a.restarts() == 1 ? "" : "s") + ")";
  }
}
