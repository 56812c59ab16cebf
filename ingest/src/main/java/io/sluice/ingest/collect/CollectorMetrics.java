package io.sluice.ingest.collect;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.ingest.metrics.MetricsServer;
import io.sluice.ingest.metrics.ProcNetUdp;
import io.sluice.net.IpAddresses;
import io.sluice.ingest.sources.SourceWatcher;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * What the collector counts, in the Prometheus client's registry: per listener and exporter the datagrams received,
 * forwarded, rejected and failed; Kafka send latency; the kernel's counters of the listeners' sockets; the
 * registry's state. At most {@link #MAX_EXPORTERS} exporters get their own series, later ones share "other".
 */
final class CollectorMetrics {
  static final int MAX_EXPORTERS = 4096;
  private static final String OVERFLOW = "other";
  /** Upper bounds in seconds: 0.5 ms to 30 s. */
  private static final double[] LATENCY_BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Map<StatsKey, ExporterStats> stats = new ConcurrentHashMap<>();
  private final Map<ListenerKind, ExporterStats> overflow = new ConcurrentHashMap<>();
  private final LongAdder inFlight = new LongAdder();
  private final Counter received;
  private final Counter receivedBytes;
  private final Counter forwarded;
  private final Counter rejected;
  private final Counter sendFailures;
  private final Counter receiveErrors;
  private final Histogram sendLatency;

  private record StatsKey(ListenerKind listener, long hi, long lo) {
    // Written out: the record's generated hashCode and equals showed in the receive thread's profile.
    @Override
    public int hashCode() {
      return Long.hashCode(hi * 31 + lo) * 31 + listener.ordinal();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof StatsKey k && k.lo == lo && k.hi == hi && k.listener == listener;
    }
  }

  CollectorMetrics(boolean labMode, SourceWatcher watcher, UdpListeners listeners) {
    String help = " (exporter \"" + OVERFLOW + "\" gathers exporters beyond the first " + MAX_EXPORTERS + ")";
    received = counter("sluice_collector_datagrams_received_total", "UDP datagrams received, by listener and exporter" + help,
        "listener", "exporter");
    receivedBytes = counter("sluice_collector_received_bytes_total", "UDP payload bytes received, by listener and exporter",
        "listener", "exporter");
    forwarded = counter("sluice_collector_datagrams_forwarded_total", "Datagrams Kafka acknowledged on the flows topic",
        "listener", "exporter");
    rejected = counter("sluice_collector_datagrams_rejected_total",
        "Datagrams not forwarded, by reason: unregistered (source not in sluice.sources), agent_spoof (sFlow agent address"
            + " registered, UDP source neither that registration nor a relay), unknown_version, truncated",
        "listener", "exporter", "reason");
    sendFailures = counter("sluice_collector_send_failures_total", "Datagrams Kafka did not take, by the producer's error",
        "listener", "exporter", "reason");
    GaugeWithCallback.builder().name("sluice_collector_sends_in_flight").help("Datagrams handed to the producer and not yet acknowledged")
        .callback(cb -> cb.call(inFlight.sum())).register(registry);
    sendLatency = Histogram.builder().name("sluice_collector_kafka_send_seconds").help("From producer.send() to Kafka's acknowledgement")
        .classicOnly().classicUpperBounds(LATENCY_BOUNDS).withoutExemplars().register(registry);
    receiveErrors = counter("sluice_collector_receive_errors_total", "Socket receive errors and datagrams that failed unexpectedly");
    receiveErrors.initLabelValues();
    registerKernelCounters(listeners);
    GaugeWithCallback.builder().name("sluice_collector_sources_registered").help("Prefixes in the registry the collector is using")
        .callback(cb -> cb.call(watcher.table().size())).register(registry);
    CounterWithCallback.builder().name("sluice_collector_sources_updates_total").help("Registrations and removals read from sluice.sources")
        .callback(cb -> cb.call(watcher.updates())).register(registry);
    CounterWithCallback.builder().name("sluice_collector_sources_invalid_records_total").help("Malformed records in sluice.sources, skipped")
        .callback(cb -> cb.call(watcher.invalidRecords())).register(registry);
    GaugeWithCallback.builder().name("sluice_collector_sources_watcher_up")
        .help("1 while the registry follows sluice.sources and is not too stale")
        .callback(cb -> cb.call(watcher.healthy() ? 1 : 0)).register(registry);
    GaugeWithCallback.builder().name("sluice_collector_sources_staleness_seconds")
        .help("Since the collector last confirmed it had read sluice.sources to its end")
        .callback(cb -> cb.call(watcher.stalenessMs() / 1000.0)).register(registry);
    CounterWithCallback.builder().name("sluice_collector_sources_errors_total").help("Failed reads of sluice.sources (each retried)")
        .callback(cb -> cb.call(watcher.errors())).register(registry);
    Gauge.builder().name("sluice_collector_lab_mode").help("1 when every source is accepted").withoutExemplars().register(registry)
        .set(labMode ? 1 : 0);
  }

  private Counter counter(String name, String help, String... labels) {
    return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
  }

  private void registerKernelCounters(UdpListeners listeners) {
    CounterWithCallback.builder().name("sluice_collector_kernel_udp_drops_total")
        .help("Datagrams the kernel dropped on the listener's sockets (receive buffer full), from /proc/net/udp and udp6")
        .labelNames("listener", "port")
        .callback(cb -> perListener(listeners, true, cb::call)).register(registry);
    GaugeWithCallback.builder().name("sluice_collector_kernel_udp_rx_queue_bytes").help("Bytes waiting in the listener's socket buffers")
        .labelNames("listener", "port")
        .callback(cb -> perListener(listeners, false, cb::call)).register(registry);
    GaugeWithCallback.builder().name("sluice_collector_socket_receive_buffer_bytes")
        .help("SO_RCVBUF the kernel granted each socket (as Linux reports it, twice the usable size)")
        .labelNames("listener", "port")
        .callback(cb -> listeners.all().forEach(l -> cb.call(l.receiveBuffer(), l.kind().label(), Integer.toString(l.port()))))
        .register(registry);
    GaugeWithCallback.builder().name("sluice_collector_kernel_udp_table_readable").help("1 when /proc/net/udp could be read")
        .callback(cb -> cb.call(kernelTable() == null ? 0 : 1)).register(registry);
  }

  /** A sample per listener (labels listener, port) of its drops or receive queue; none when the table is unreadable. */
  private static void perListener(UdpListeners listeners, boolean drops, BiConsumer<Double, String[]> sample) {
    List<ProcNetUdp.Entry> table = kernelTable();
    if (table != null) {
      listeners.all().forEach(l -> sample.accept((double) sum(table, l, drops), new String[] {l.kind().label(), Integer.toString(l.port())}));
    }
  }

  private static List<ProcNetUdp.Entry> kernelTable() {
    try {
      return ProcNetUdp.read();
    } catch (IOException e) {
      return null;
    }
  }

  /** Drops (or the receive queue) summed over a listener's sockets. */
  private static long sum(List<ProcNetUdp.Entry> table, UdpListeners.Listener l, boolean drops) {
    long n = 0;
    for (ProcNetUdp.Entry e : table) {
      if (e.localPort() == l.port() && Arrays.equals(e.localAddr(), l.bindAddr16())) {
        n += drops ? e.drops() : e.rxQueue();
      }
    }
    return n;
  }

  /** The counters of one exporter (16 bytes) on one listener, made at its first datagram. */
  ExporterStats exporter(ListenerKind kind, byte[] exporter) {
    StatsKey key = new StatsKey(kind, longAt(exporter, 0), longAt(exporter, 8));
    ExporterStats s = stats.get(key);
    if (s != null) {
      return s;
    }
    if (stats.size() >= MAX_EXPORTERS) {
      return overflow.computeIfAbsent(kind, k -> new ExporterStats(k.label(), OVERFLOW));
    }
    return stats.computeIfAbsent(key, k -> new ExporterStats(kind.label(), IpAddresses.format(exporter)));
  }

  void receiveError() {
    receiveErrors.inc();
  }

  void sending() {
    inFlight.increment();
  }

  /** A send ended (acknowledged or failed) after {@code nanos}. */
  void sent(long nanos) {
    inFlight.decrement();
    sendLatency.observe(nanos / 1e9);
  }

  /** A send that failed before it started: send() threw, no acknowledgement will come. */
  void notSent() {
    inFlight.decrement();
  }

  /** The Prometheus text exposition of everything the collector counts. */
  String text() {
    return MetricsServer.text(registry);
  }

  private static long longAt(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  /** One exporter's series; every datagram received ends up forwarded, rejected or failed. */
  final class ExporterStats {
    private final String listener;
    private final String exporter;
    private final io.prometheus.metrics.core.datapoints.CounterDataPoint receivedDatagrams;
    private final io.prometheus.metrics.core.datapoints.CounterDataPoint bytes;
    private final io.prometheus.metrics.core.datapoints.CounterDataPoint forwardedDatagrams;

    private ExporterStats(String listener, String exporter) {
      this.listener = listener;
      this.exporter = exporter;
      this.receivedDatagrams = received.labelValues(listener, exporter);
      this.bytes = receivedBytes.labelValues(listener, exporter);
      this.forwardedDatagrams = forwarded.labelValues(listener, exporter);
    }

    void received(int payloadBytes) {
      receivedDatagrams.inc();
      bytes.inc(payloadBytes);
    }

    void forwarded() {
      forwardedDatagrams.inc();
    }

    void reject(String reason) {
      rejected.labelValues(listener, exporter, reason).inc();
    }

    void sendFailed(String reason) {
      sendFailures.labelValues(listener, exporter, reason).inc();
    }
  }
}
