package io.sluice.ingest.collect;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one exporter on one listener; every datagram received ends up forwarded, rejected or failed. */
final class ExporterStats {
  final ListenerKind listener;
  final String exporter;
  final LongAdder received = new LongAdder();
  final LongAdder receivedBytes = new LongAdder();
  final LongAdder forwarded = new LongAdder();
  final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
  final Map<String, LongAdder> sendFailed = new ConcurrentHashMap<>();

  ExporterStats(ListenerKind listener, String exporter) {
    this.listener = listener;
    this.exporter = exporter;
  }

  void reject(String reason) {
    rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  void sendFailed(String reason) {
    sendFailed.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }
}
