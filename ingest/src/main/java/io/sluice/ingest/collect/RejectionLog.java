package io.sluice.ingest.collect;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Logs rejected sources at most once per interval per source IP, with the count since the previous line, so a
 * flood from an unregistered exporter costs one log line a minute, never silence.
 */
final class RejectionLog {
  static final long INTERVAL_NS = 60_000_000_000L;
  private static final int MAX_TRACKED = 10_000;

  private final Consumer<String> log;
  private final LongSupplier nanoClock;
  private final Map<String, Entry> bySource = new ConcurrentHashMap<>();

  private static final class Entry {
    long lastLogNs;
    long unlogged;
    boolean logged;
  }

  RejectionLog(Consumer<String> log, LongSupplier nanoClock) {
    this.log = log;
    this.nanoClock = nanoClock;
  }

  /** Counts a rejection; {@code message} builds the line and is only called when one is written. */
  void rejected(String source, java.util.function.LongFunction<String> message) {
    long now = nanoClock.getAsLong();
    if (bySource.size() > MAX_TRACKED) {
      bySource.entrySet().removeIf(e -> now - e.getValue().lastLogNs >= INTERVAL_NS);
    }
    Entry e = bySource.computeIfAbsent(source, s -> new Entry());
    long count;
    synchronized (e) {
      e.unlogged++;
      if (e.logged && now - e.lastLogNs < INTERVAL_NS) {
        return;
      }
      e.logged = true;
      e.lastLogNs = now;
      count = e.unlogged;
      e.unlogged = 0;
    }
    log.accept(message.apply(count));
  }
}
