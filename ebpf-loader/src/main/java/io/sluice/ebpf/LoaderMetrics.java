package io.sluice.ebpf;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.ingest.metrics.MetricsServer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** The loader's Prometheus metrics: kernel-side counters, records drained, sent, and Kafka errors. */
public final class LoaderMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter polled = counter("sluice_ebpf_records_polled_total", "Records drained from the ring buffer.", "kind");
  private final Counter sent = counter("sluice_ebpf_records_sent_total",
      "Packets and socket events acknowledged by Kafka (a batch record counts its packets).", "topic");
  private final Counter kafkaErrors = counter("sluice_ebpf_kafka_errors_total",
      "Packets and socket events Kafka did not take, by error class.", "reason");
  private final CounterDataPoint polledPackets = polled.labelValues("packet");
  private final CounterDataPoint polledSockets = polled.labelValues("socket");
  /** Series made at first use, as a send callback runs per packet. */
  private final Map<String, CounterDataPoint> sentByTopic = new ConcurrentHashMap<>();
  private final Map<String, CounterDataPoint> errorsByReason = new ConcurrentHashMap<>();

  private Counter counter(String name, String help, String label) {
    return Counter.builder().name(name).help(help).labelNames(label).withoutExemplars().register(registry);
  }

  /**
   * Adds the series read at each scrape: the programs' counters (BpfMaps.counters()), the attached interfaces and
   * the attach type of each hook.
   */
  void watch(Supplier<long[]> kernel, Map<String, String> choices, IntSupplier interfaces) {
    kernelCounter("sluice_ebpf_packets_seen_total", "Packets the tc programs looked at.", kernel, 0);
    kernelCounter("sluice_ebpf_packets_captured_total", "Packets that matched the filters and went into the ring buffer.", kernel, 1);
    CounterWithCallback.builder().name("sluice_ebpf_packets_skipped_total")
        .help("Packets that matched the filters but were not captured, by reason.").labelNames("reason")
        .callback(cb -> cb.call(kernel.get()[5], "pure_ack")).register(registry);
    kernelCounter("sluice_ebpf_socket_events_total", "Socket events put into the ring buffer.", kernel, 3);
    CounterWithCallback.builder().name("sluice_ebpf_ringbuf_drops_total").help("Records lost because the ring buffer was full.")
        .labelNames("kind")
        .callback(cb -> {
          long[] k = kernel.get();
          cb.call(k[2], "packet");
          cb.call(k[4], "socket");
        }).register(registry);
    kernelCounter("sluice_ebpf_h2_segments_walked_total",
        "TCP segments of HTTP/2 connections captured frame by frame (their header blocks whole).", kernel, 6);
    kernelCounter("sluice_ebpf_h2_walks_lost_total",
        "HTTP/2 directions whose frame walk was lost (a frame header not captured, too many frames): the snap from then on.",
        kernel, 7);
    CounterWithCallback.builder().name("sluice_ebpf_h2_walks_lost_by_reason_total")
        .help("sluice_ebpf_h2_walks_lost_total by reason: a gap held a frame header, the steps ran out, a read failed.")
        .labelNames("reason")
        .callback(cb -> {
          long[] k = kernel.get();
          cb.call(k[10], "gap");
          cb.call(k[11], "steps");
          cb.call(k[12], "read");
        }).register(registry);
    kernelCounter("sluice_ebpf_h2_segments_held_total",
        "HTTP/2 segments that came after a gap (another CPU had the bytes before them, or they were reordered or lost on"
            + " the way), held until the walk got to them.", kernel, 13);
    kernelCounter("sluice_ebpf_h2_held_expired_total",
        "Held HTTP/2 segments whose turn never came within 2 s: their slot was taken back and their records never"
            + " written.", kernel, 14);
    kernelCounter("sluice_ebpf_tls_client_hellos_total",
        "Connections seen to begin with a TLS ClientHello: their first bytes each way are kept whole.", kernel, 8);
    kernelCounter("sluice_ebpf_tls_segments_kept_total",
        "TCP segments kept past the snap because they hold the first bytes of a TLS connection.", kernel, 9);
    GaugeWithCallback.builder().name("sluice_ebpf_interfaces_attached").help("Interfaces with the tc capture attached.")
        .callback(cb -> cb.call(interfaces.getAsInt())).register(registry);
    GaugeWithCallback.builder().name("sluice_ebpf_attach_info").help("The attach type each hook uses (1).").labelNames("hook", "type")
        .callback(cb -> choices.forEach((hook, type) -> cb.call(1, hook, type))).register(registry);
  }

  private void kernelCounter(String name, String help, Supplier<long[]> kernel, int index) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(kernel.get()[index])).register(registry);
  }

  void polledPacket() {
    polledPackets.inc();
  }

  void polledSocket() {
    polledSockets.inc();
  }

  /** n packets or socket events acknowledged (a batch record counts its packets). */
  void sent(String topic, int n) {
    sentByTopic.computeIfAbsent(topic, sent::labelValues).inc(n);
  }

  void kafkaError(String reason, int n) {
    errorsByReason.computeIfAbsent(reason, kafkaErrors::labelValues).inc(n);
  }

  public long polledPackets() {
    return (long) polledPackets.get();
  }

  public long polledSockets() {
    return (long) polledSockets.get();
  }

  public long sent() {
    return sentByTopic.values().stream().mapToLong(p -> (long) p.get()).sum();
  }

  public long kafkaErrors() {
    return errorsByReason.values().stream().mapToLong(p -> (long) p.get()).sum();
  }

  /** The Prometheus text exposition. */
  String text() {
    return MetricsServer.text(registry);
  }
}
