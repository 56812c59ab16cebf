package io.sluice.ingest.collect;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.sluice.ingest.metrics.LatencyHistogram;
import io.sluice.ingest.metrics.MetricsServer;
import io.sluice.ingest.metrics.ProcNetUdp;
import io.sluice.ingest.metrics.PrometheusText;
import io.sluice.ingest.sources.IpAddresses;
import io.sluice.ingest.sources.SourceTable;
import io.sluice.ingest.sources.SourceWatcher;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.wire.FlowDatagram;
import io.sluice.wire.FlowProtocol;
import io.sluice.wire.FlowSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The UDP flow collector: sFlow, NetFlow and IPFIX listeners, each on several SO_REUSEPORT sockets with a large
 * receive buffer and one receive thread per socket. Every datagram from a registered source (or any source in lab
 * mode) becomes a {@link FlowDatagram} on sluice.flows.raw, keyed by its exporter address; everything else is
 * counted by exporter and reason, and logged at most once a minute per source.
 *
 * <p>Exporter identity: for sFlow the agent address inside the datagram, for NetFlow/IPFIX the UDP source, unless
 * the matching registration sets exporter_addr_override. An sFlow datagram is accepted only when its UDP source is
 * registered ({@link SflowTrust}); a registered agent address from any other sender is rejected as agent_spoof.
 *
 * <p>One exporter's datagrams go to one socket (SO_REUSEPORT hashes the 4-tuple) and one partition (the key), so
 * NetFlow v9/IPFIX templates stay ahead of the data that uses them.
 */
public final class Collector implements AutoCloseable {
  static final int MAX_EXPORTERS = 4096;
  private static final String OVERFLOW = "other";

  private final CollectorConfig config;
  private final Producer<byte[], byte[]> producer;
  private final SourceWatcher watcher;
  private final Map<ListenerKind, Listener> listeners = new EnumMap<>(ListenerKind.class);
  private final List<Thread> threads = new ArrayList<>();
  private final Map<StatsKey, ExporterStats> stats = new ConcurrentHashMap<>();
  private final Map<ListenerKind, ExporterStats> overflow = new EnumMap<>(ListenerKind.class);
  private final LatencyHistogram sendLatency = new LatencyHistogram();
  private final LongAdder inFlight = new LongAdder();
  private final LongAdder receiveErrors = new LongAdder();
  private final AtomicLong lastSendFailureLogNs = new AtomicLong(Long.MIN_VALUE);
  private final RejectionLog rejectionLog;
  private MetricsServer metricsServer;
  private volatile boolean closed;

  private record StatsKey(ListenerKind listener, long hi, long lo) {}

  private record Listener(ListenerKind kind, int port, byte[] bindAddr16, List<DatagramChannel> channels, int receiveBuffer) {}

  private Collector(CollectorConfig config, Producer<byte[], byte[]> producer, SourceWatcher watcher) {
    this.config = config;
    this.producer = producer;
    this.watcher = watcher;
    this.rejectionLog = new RejectionLog(config.log, System::nanoTime);
    for (ListenerKind k : ListenerKind.values()) {
      overflow.put(k, new ExporterStats(k, OVERFLOW));
    }
  }

  /**
   * Loads the registry (waiting until it has read sluice.sources to its end), connects the producer, opens the
   * listeners and starts receiving. Throws with a clear message when Kafka or a port is unavailable.
   */
  public static Collector start(CollectorConfig config) {
    SourceWatcher watcher = new SourceWatcher(new SourcesTopic(config.kafkaBootstrap, config.sourcesTopic), config.log,
        Duration.ofMillis(config.sourcesMaxStaleMs)).start(Duration.ofMillis(config.sourcesLoadTimeoutMs));
    Producer<byte[], byte[]> producer;
    try {
      producer = new KafkaProducer<>(producerProperties(config), new ByteArraySerializer(), new ByteArraySerializer());
      producer.partitionsFor(config.flowsTopic); // fails fast when the topic is missing
    } catch (RuntimeException e) {
      watcher.close();
      throw new CollectorException("cannot produce to " + config.flowsTopic + " on " + config.kafkaBootstrap + ": " + e.getMessage(), e);
    }
    Collector c = new Collector(config, producer, watcher);
    try {
      c.openListeners();
      if (config.metricsPort != null) {
        c.metricsServer = MetricsServer.start(config.metricsHost, config.metricsPort, c::metricsText, c::unhealthy);
      }
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    c.startThreads();
    return c;
  }

  static Properties producerProperties(CollectorConfig config) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-collector-" + config.collectorId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
    // A full buffer blocks the receive thread this long, then the datagram is counted as a send failure;
    // meanwhile the socket buffer absorbs the burst and the kernel counts what does not fit.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    return p;
  }

  private void openListeners() {
    for (Map.Entry<ListenerKind, Integer> e : config.ports.entrySet()) {
      ListenerKind kind = e.getKey();
      InetAddress bind;
      try {
        bind = InetAddress.getByAddress(addressBytes(config.bindAddress));
      } catch (IOException ex) {
        throw new CollectorException("invalid bind address " + config.bindAddress, ex);
      }
      List<DatagramChannel> channels = new ArrayList<>();
      int port = e.getValue();
      int rcvbuf = 0;
      try {
        for (int i = 0; i < config.socketsPerPort; i++) {
          DatagramChannel ch = DatagramChannel.open(bind instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
          channels.add(ch);
          ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
          ch.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferBytes);
          ch.bind(new InetSocketAddress(bind, port));
          port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
          rcvbuf = ch.getOption(StandardSocketOptions.SO_RCVBUF);
        }
      } catch (IOException ex) {
        channels.forEach(Collector::closeQuietly);
        listeners.values().forEach(l -> l.channels().forEach(Collector::closeQuietly));
        throw new CollectorException("cannot listen for " + kind.label() + " on UDP " + config.bindAddress + ":" + e.getValue()
            + ": " + ex.getMessage() + " (choose another port with --" + kind.label() + "-port)", ex);
      }
      // Linux reports twice the usable size it granted.
      if (rcvbuf / 2 < config.receiveBufferBytes) {
        config.log.accept("warning: " + kind.label() + " sockets got a " + (rcvbuf / 2 >> 10) + " KiB receive buffer, not the "
            + (config.receiveBufferBytes >> 10) + " KiB asked for; raise the cap with `sysctl -w net.core.rmem_max="
            + config.receiveBufferBytes + "` to absorb bursts");
      }
      listeners.put(kind, new Listener(kind, port, IpAddresses.to16(bind.getAddress()), List.copyOf(channels), rcvbuf));
    }
  }

  private static byte[] addressBytes(String text) {
    byte[] a16 = IpAddresses.parse(text);
    return IpAddresses.isV4Mapped(a16) && text.indexOf(':') < 0 ? new byte[] {a16[12], a16[13], a16[14], a16[15]} : a16;
  }

  private void startThreads() {
    for (Listener l : listeners.values()) {
      for (int i = 0; i < l.channels().size(); i++) {
        DatagramChannel ch = l.channels().get(i);
        Thread t = new Thread(() -> receiveLoop(l.kind(), ch), "sluice-collect-" + l.kind().label() + "-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }
  }

  /** The bound UDP port of a listener (useful with port 0), or -1 when it is off. */
  public int port(ListenerKind kind) {
    Listener l = listeners.get(kind);
    return l == null ? -1 : l.port();
  }

  /** The /metrics HTTP port, or -1 without a server. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  public SourceTable sources() {
    return watcher.table();
  }

  private void receiveLoop(ListenerKind kind, DatagramChannel ch) {
    ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
    while (!closed) {
      InetSocketAddress from;
      try {
        buf.clear();
        from = (InetSocketAddress) ch.receive(buf);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        receiveErrors.increment();
        continue;
      }
      buf.flip();
      byte[] payload = new byte[buf.remaining()];
      buf.get(payload);
      try {
        handle(kind, from, payload);
      } catch (RuntimeException e) {
        receiveErrors.increment();
        logSendFailure("datagram from " + from + " failed: " + e);
      }
    }
  }

  /** What happens to one datagram; package-private so tests can drive it without sockets. */
  void handle(ListenerKind kind, InetSocketAddress from, byte[] payload) {
    long receivedNs = nowNs();
    byte[] udpSource = IpAddresses.to16(from.getAddress().getAddress());
    FlowProtocol protocol = FlowSniff.protocol(kind, payload, payload.length);
    byte[] exporter = udpSource;
    String malformed = null;
    if (protocol == null) {
      malformed = "unknown_version";
    } else if (kind == ListenerKind.SFLOW) {
      byte[] agent = FlowSniff.sflowAgent(payload, payload.length);
      if (agent == null) {
        malformed = "truncated";
      } else {
        exporter = agent;
      }
    }
    SourceTable table = watcher.table();
    FlowSource source = malformed != null ? null : table.match(exporter);
    if (malformed == null && kind == ListenerKind.SFLOW) {
      FlowSource sender = table.match(udpSource);
      if (!config.labMode && SflowTrust.spoofed(source, sender)) {
        malformed = "agent_spoof";
        exporter = udpSource; // the agent address is a claim nobody vouched for: count the real sender
      } else if (source == null) {
        source = sender == null || sender.getRelay() ? null : sender; // behind a relay, the agent must be registered
      }
    }
    if (source != null && kind != ListenerKind.SFLOW && source.getExporterAddrOverride().size() == 16) {
      exporter = source.getExporterAddrOverride().toByteArray();
    }
    ExporterStats s = stats(kind, exporter);
    s.received.increment();
    s.receivedBytes.add(payload.length);
    if (malformed != null) {
      s.reject(malformed);
      byte[] src = udpSource;
      String reason = malformed;
      String hint = reason.equals("agent_spoof") ? ": they name a registered sFlow agent; if this source forwards for it,"
          + " register it with `sluice sources add " + IpAddresses.format(src) + " --name NAME --relay`" : "";
      rejectionLog.rejected(IpAddresses.format(src), n -> "rejected " + n + " " + kind.label() + " datagram(s) from "
          + IpAddresses.format(src) + " (" + reason + ") in the last minute" + hint);
      return;
    }
    if (source == null && !config.labMode) {
      s.reject("unregistered");
      String exporterText = IpAddresses.format(exporter);
      String sourceText = IpAddresses.format(udpSource);
      rejectionLog.rejected(sourceText, n -> "rejected " + n + " " + kind.label() + " datagram(s) in the last minute from unregistered "
          + (exporterText.equals(sourceText) ? "source " + sourceText : "agent " + exporterText + " (UDP source " + sourceText + ")")
          + ": register it with `sluice sources add " + exporterText + " --name NAME`, or run the collector with --lab-mode");
      return;
    }
    FlowDatagram d = FlowDatagram.newBuilder()
        .setExporterAddr(ByteString.copyFrom(exporter))
        .setExporterPort(from.getPort())
        .setReceivedNs(receivedNs)
        .setCollectorId(config.collectorId)
        .setProtocolHint(protocol)
        .setPayload(UnsafeByteOperations.unsafeWrap(payload)) // payload is ours alone: no copy
        .setUdpSourceAddr(ByteString.copyFrom(udpSource))
        .setSourceUpdatedNs(source == null ? 0 : source.getUpdatedNs())
        .build();
    long sentAt = System.nanoTime();
    inFlight.increment();
    Callback done = (metadata, error) -> {
      inFlight.decrement();
      sendLatency.recordNanos(System.nanoTime() - sentAt);
      if (error == null) {
        s.forwarded.increment();
      } else {
        s.sendFailed(error.getClass().getSimpleName());
        logSendFailure("cannot send to " + config.flowsTopic + ": " + error);
      }
    };
    try {
      producer.send(new ProducerRecord<>(config.flowsTopic, exporter, d.toByteArray()), done);
    } catch (RuntimeException e) {
      // send() itself failed (buffer full past max.block.ms, producer closed): the callback did not run.
      inFlight.decrement();
      s.sendFailed(e.getClass().getSimpleName());
      logSendFailure("cannot send to " + config.flowsTopic + ": " + e);
    }
  }

  private ExporterStats stats(ListenerKind kind, byte[] exporter) {
    StatsKey key = new StatsKey(kind, longAt(exporter, 0), longAt(exporter, 8));
    ExporterStats s = stats.get(key);
    if (s != null) {
      return s;
    }
    if (stats.size() >= MAX_EXPORTERS) {
      return overflow.get(kind);
    }
    return stats.computeIfAbsent(key, k -> new ExporterStats(kind, IpAddresses.format(exporter)));
  }

  private void logSendFailure(String message) {
    long now = System.nanoTime();
    long last = lastSendFailureLogNs.get();
    if ((last == Long.MIN_VALUE || now - last >= RejectionLog.INTERVAL_NS) && lastSendFailureLogNs.compareAndSet(last, now)) {
      config.log.accept(message + " (counted in sluice_collector_send_failures_total; logged at most once a minute)");
    }
  }

  private static long nowNs() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static long longAt(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xff);
    }
    return v;
  }

  /** The Prometheus text exposition of everything the collector counts. */
  /** Null while the collector is healthy, else why not (for /healthz). */
  public String unhealthy() {
    if (watcher.healthy()) {
      return null;
    }
    RuntimeException error = watcher.lastError();
    return "registry stale for " + watcher.stalenessMs() / 1000 + " s (limit " + config.sourcesMaxStaleMs / 1000 + " s)"
        + (error == null ? "" : ": " + error.getMessage());
  }

  public String metricsText() {
    PrometheusText out = new PrometheusText();
    List<ExporterStats> all = new ArrayList<>(stats.values());
    overflow.values().stream().filter(s -> s.received.sum() > 0).forEach(all::add);
    all.sort((a, b) -> a.listener != b.listener ? a.listener.compareTo(b.listener) : a.exporter.compareTo(b.exporter));
    String help = " (exporter \"" + OVERFLOW + "\" gathers exporters beyond the first " + MAX_EXPORTERS + ")";
    out.family("sluice_collector_datagrams_received_total", "counter", "UDP datagrams received, by listener and exporter" + help);
    for (ExporterStats s : all) {
      out.sample("sluice_collector_datagrams_received_total", s.received.sum(), "listener", s.listener.label(), "exporter", s.exporter);
    }
    out.family("sluice_collector_received_bytes_total", "counter", "UDP payload bytes received, by listener and exporter");
    for (ExporterStats s : all) {
      out.sample("sluice_collector_received_bytes_total", s.receivedBytes.sum(), "listener", s.listener.label(), "exporter", s.exporter);
    }
    out.family("sluice_collector_datagrams_forwarded_total", "counter", "Datagrams Kafka acknowledged on the flows topic");
    for (ExporterStats s : all) {
      out.sample("sluice_collector_datagrams_forwarded_total", s.forwarded.sum(), "listener", s.listener.label(), "exporter", s.exporter);
    }
    out.family("sluice_collector_datagrams_rejected_total", "counter",
        "Datagrams not forwarded, by reason: unregistered (source not in sluice.sources), agent_spoof (sFlow agent address"
            + " registered, UDP source neither that registration nor a relay), unknown_version, truncated");
    for (ExporterStats s : all) {
      s.rejected.forEach((reason, n) -> out.sample("sluice_collector_datagrams_rejected_total", n.sum(),
          "listener", s.listener.label(), "exporter", s.exporter, "reason", reason));
    }
    out.family("sluice_collector_send_failures_total", "counter", "Datagrams Kafka did not take, by the producer's error");
    for (ExporterStats s : all) {
      s.sendFailed.forEach((reason, n) -> out.sample("sluice_collector_send_failures_total", n.sum(),
          "listener", s.listener.label(), "exporter", s.exporter, "reason", reason));
    }
    out.family("sluice_collector_sends_in_flight", "gauge", "Datagrams handed to the producer and not yet acknowledged");
    out.sample("sluice_collector_sends_in_flight", inFlight.sum());
    sendLatency.write(out, "sluice_collector_kafka_send_seconds", "From producer.send() to Kafka's acknowledgement");
    out.family("sluice_collector_receive_errors_total", "counter", "Socket receive errors and datagrams that failed unexpectedly");
    out.sample("sluice_collector_receive_errors_total", receiveErrors.sum());
    writeKernelCounters(out);
    out.family("sluice_collector_sources_registered", "gauge", "Prefixes in the registry the collector is using");
    out.sample("sluice_collector_sources_registered", watcher.table().size());
    out.family("sluice_collector_sources_updates_total", "counter", "Registrations and removals read from sluice.sources");
    out.sample("sluice_collector_sources_updates_total", watcher.updates());
    out.family("sluice_collector_sources_invalid_records_total", "counter", "Malformed records in sluice.sources, skipped");
    out.sample("sluice_collector_sources_invalid_records_total", watcher.invalidRecords());
    out.family("sluice_collector_sources_watcher_up", "gauge", "1 while the registry follows sluice.sources and is not too stale");
    out.sample("sluice_collector_sources_watcher_up", watcher.healthy() ? 1 : 0);
    out.family("sluice_collector_sources_staleness_seconds", "gauge",
        "Since the collector last confirmed it had read sluice.sources to its end");
    out.sample("sluice_collector_sources_staleness_seconds", watcher.stalenessMs() / 1000.0);
    out.family("sluice_collector_sources_errors_total", "counter", "Failed reads of sluice.sources (each retried)");
    out.sample("sluice_collector_sources_errors_total", watcher.errors());
    out.family("sluice_collector_lab_mode", "gauge", "1 when every source is accepted");
    out.sample("sluice_collector_lab_mode", config.labMode ? 1 : 0);
    return out.toString();
  }

  private void writeKernelCounters(PrometheusText out) {
    List<ProcNetUdp.Entry> table;
    try {
      table = ProcNetUdp.read();
    } catch (IOException e) {
      table = null;
    }
    out.family("sluice_collector_kernel_udp_drops_total", "counter",
        "Datagrams the kernel dropped on the listener's sockets (receive buffer full), from /proc/net/udp and udp6");
    out.family("sluice_collector_kernel_udp_rx_queue_bytes", "gauge", "Bytes waiting in the listener's socket buffers");
    out.family("sluice_collector_socket_receive_buffer_bytes", "gauge", "SO_RCVBUF the kernel granted each socket (as Linux reports it, twice the usable size)");
    out.family("sluice_collector_kernel_udp_table_readable", "gauge", "1 when /proc/net/udp could be read");
    out.sample("sluice_collector_kernel_udp_table_readable", table == null ? 0 : 1);
    for (Listener l : listeners.values()) {
      String port = Integer.toString(l.port());
      if (table != null) {
        long drops = 0;
        long rx = 0;
        for (ProcNetUdp.Entry e : table) {
          if (e.localPort() == l.port() && java.util.Arrays.equals(e.localAddr(), l.bindAddr16())) {
            drops += e.drops();
            rx += e.rxQueue();
          }
        }
        out.sample("sluice_collector_kernel_udp_drops_total", drops, "listener", l.kind().label(), "port", port);
        out.sample("sluice_collector_kernel_udp_rx_queue_bytes", rx, "listener", l.kind().label(), "port", port);
      }
      out.sample("sluice_collector_socket_receive_buffer_bytes", l.receiveBuffer(), "listener", l.kind().label(), "port", port);
    }
  }

  /** Stops receiving, flushes the producer (waits for outstanding acknowledgements) and releases everything. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    listeners.values().forEach(l -> l.channels().forEach(Collector::closeQuietly));
    for (Thread t : threads) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      producer.flush();
      producer.close(Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      config.log.accept("producer did not close cleanly: " + e);
    }
    watcher.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
  }

  private static void closeQuietly(DatagramChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
