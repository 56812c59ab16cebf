package io.sluice.ebpf;

import io.sluice.ingest.metrics.PrometheusText;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The loader's Prometheus metrics: kernel-side counters, records drained, sent, and Kafka errors. */
public final class LoaderMetrics {
  final LongAdder polledPackets = new LongAdder();
  final LongAdder polledSockets = new LongAdder();
  private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> kafkaErrors = new ConcurrentHashMap<>();

  /** n packets or socket events acknowledged (a batch record counts its packets). */
  void sent(String topic, int n) {
    sent.computeIfAbsent(topic, t -> new LongAdder()).add(n);
  }

  void kafkaError(String reason, int n) {
    kafkaErrors.computeIfAbsent(reason, t -> new LongAdder()).add(n);
  }

  public long polledPackets() {
    return polledPackets.sum();
  }

  public long polledSockets() {
    return polledSockets.sum();
  }

  public long sent() {
    return sent.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long kafkaErrors() {
    return kafkaErrors.values().stream().mapToLong(LongAdder::sum).sum();
  }

  String text(long[] kernel, Map<String, String> choices, int interfaces) {
    PrometheusText t = new PrometheusText();
    t.family("sluice_ebpf_packets_seen_total", "counter", "Packets the tc programs looked at.")
        .sample("sluice_ebpf_packets_seen_total", kernel[0]);
    t.family("sluice_ebpf_packets_captured_total", "counter", "Packets that matched the filters and went into the ring buffer.")
        .sample("sluice_ebpf_packets_captured_total", kernel[1]);
    t.family("sluice_ebpf_packets_skipped_total", "counter", "Packets that matched the filters but were not captured, by reason.")
        .sample("sluice_ebpf_packets_skipped_total", kernel[5], "reason", "pure_ack");
    t.family("sluice_ebpf_socket_events_total", "counter", "Socket events put into the ring buffer.")
        .sample("sluice_ebpf_socket_events_total", kernel[3]);
    t.family("sluice_ebpf_ringbuf_drops_total", "counter", "Records lost because the ring buffer was full.")
        .sample("sluice_ebpf_ringbuf_drops_total", kernel[2], "kind", "packet")
        .sample("sluice_ebpf_ringbuf_drops_total", kernel[4], "kind", "socket");
    t.family("sluice_ebpf_records_polled_total", "counter", "Records drained from the ring buffer.")
        .sample("sluice_ebpf_records_polled_total", polledPackets.sum(), "kind", "packet")
        .sample("sluice_ebpf_records_polled_total", polledSockets.sum(), "kind", "socket");
    t.family("sluice_ebpf_records_sent_total", "counter", "Packets and socket events acknowledged by Kafka (a batch record counts its packets).");
    sent.forEach((topic, n) -> t.sample("sluice_ebpf_records_sent_total", n.sum(), "topic", topic));
    t.family("sluice_ebpf_kafka_errors_total", "counter", "Packets and socket events Kafka did not take, by error class.");
    kafkaErrors.forEach((r, n) -> t.sample("sluice_ebpf_kafka_errors_total", n.sum(), "reason", r));
    t.family("sluice_ebpf_interfaces_attached", "gauge", "Interfaces with the tc capture attached.")
        .sample("sluice_ebpf_interfaces_attached", interfaces);
    t.family("sluice_ebpf_attach_info", "gauge", "The attach type each hook uses (1).");
    choices.forEach((hook, kind) -> t.sample("sluice_ebpf_attach_info", 1, "hook", hook, "type", kind));
    return t.toString();
  }
}
