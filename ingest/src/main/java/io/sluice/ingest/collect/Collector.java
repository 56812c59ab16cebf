package io.sluice.ingest.collect;

import io.sluice.ingest.metrics.MetricsServer;
import io.sluice.net.IpAddresses;
import io.sluice.ingest.sources.SourceTable;
import io.sluice.ingest.sources.SourceWatcher;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.wire.FlowDatagram;
import io.sluice.wire.FlowProtocol;
import io.sluice.wire.FlowSource;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
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
 * counted by exporter and reason, and logged at most once a minute per source. The sockets and their threads are
 * {@link UdpListeners}; the counters, {@link CollectorMetrics}.
 *
 * <p>Exporter identity: for sFlow the agent address inside the datagram, for NetFlow/IPFIX the UDP source, unless
 * the matching registration sets exporter_addr_override. An sFlow datagram is accepted only when its UDP source is
 * registered ({@link SflowTrust}); a registered agent address from any other sender is rejected as agent_spoof.
 *
 * <p>One exporter's datagrams go to one socket (SO_REUSEPORT hashes the 4-tuple) and one partition (the key), so
 * NetFlow v9/IPFIX templates stay ahead of the data that uses them.
 */
public final class Collector implements AutoCloseable {
  private final CollectorConfig config;
  private final Producer<byte[], byte[]> producer;
  private final SourceWatcher watcher;
  private final AtomicLong lastSendFailureLogNs = new AtomicLong(Long.MIN_VALUE);
  private final RejectionLog rejectionLog;
  private final FlowEnvelope envelope;
  private UdpListeners listeners;
  private CollectorMetrics metrics;
  private MetricsServer metricsServer;
  private volatile boolean closed;

  private Collector(CollectorConfig config, Producer<byte[], byte[]> producer, SourceWatcher watcher) {
    this.config = config;
    this.producer = producer;
    this.watcher = watcher;
    this.rejectionLog = new RejectionLog(config.log, System::nanoTime);
    this.envelope = new FlowEnvelope(config.collectorId);
  }

  /**
   * Loads the registry (waiting until it has read sluice.sources to its end), connects the producer, opens the
   * listeners and starts receiving. Throws with a clear message when Kafka or a port is unavailable.
   */
  public static Collector start(CollectorConfig config) {
    SourceWatcher watcher = new SourceWatcher(new SourcesTopic(config.kafka, config.sourcesTopic), config.log,
        Duration.ofMillis(config.sourcesMaxStaleMs)).start(Duration.ofMillis(config.sourcesLoadTimeoutMs));
    Producer<byte[], byte[]> producer;
    try {
      producer = new KafkaProducer<>(producerProperties(config), new ByteArraySerializer(), new ByteArraySerializer());
      producer.partitionsFor(config.flowsTopic); // fails fast when the topic is missing
    } catch (RuntimeException e) {
      watcher.close();
      throw new CollectorException("cannot produce to " + config.flowsTopic + " on " + config.kafka + ": " + e.getMessage(), e);
    }
    Collector c = new Collector(config, producer, watcher);
    try {
      c.listeners = UdpListeners.open(config);
      c.metrics = new CollectorMetrics(config.labMode, watcher, c.listeners);
      if (config.metricsPort != null) {
        c.metricsServer = MetricsServer.start(config.metricsHost, config.metricsPort, c::metricsText, c::unhealthy);
      }
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    c.listeners.start(new UdpListeners.Handler() {
      @Override
      public void datagram(ListenerKind kind, InetSocketAddress from, byte[] payload, int length) {
        c.handle(kind, from, payload, length);
      }

      @Override
      public void failed(InetSocketAddress from, RuntimeException failure) {
        c.metrics.receiveError();
        if (failure != null) {
          c.logSendFailure("datagram from " + from + " failed: " + failure);
        }
      }
    });
    return c;
  }

  static Properties producerProperties(CollectorConfig config) {
    Properties p = config.kafka.clientProperties();
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-collector-" + config.collectorId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.compression);
    p.put(ProducerConfig.LINGER_MS_CONFIG, config.lingerMs);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
    // A full buffer blocks the receive thread this long, then the datagram is counted as a send failure;
    // meanwhile the socket buffer absorbs the burst and the kernel counts what does not fit.
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
    return p;
  }

  /** The bound UDP port of a listener (useful with port 0), or -1 when it is off. */
  public int port(ListenerKind kind) {
    return listeners.port(kind);
  }

  /** The /metrics HTTP port, or -1 without a server. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  public SourceTable sources() {
    return watcher.table();
  }

  /** What happens to one datagram; package-private so tests can drive it without sockets. */
  void handle(ListenerKind kind, InetSocketAddress from, byte[] payload) {
    handle(kind, from, payload, payload.length);
  }

  /** The datagram is {@code payload[0, length)}; the array may be reused once this returns. */
  private void handle(ListenerKind kind, InetSocketAddress from, byte[] payload, int length) {
    long receivedNs = nowNs();
    byte[] udpSource = IpAddresses.to16(from.getAddress().getAddress());
    FlowProtocol protocol = FlowSniff.protocol(kind, payload, length);
    byte[] exporter = udpSource;
    String malformed = null;
    if (protocol == null) {
      malformed = "unknown_version";
    } else if (kind == ListenerKind.SFLOW) {
      byte[] agent = FlowSniff.sflowAgent(payload, length);
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
    CollectorMetrics.ExporterStats s = metrics.exporter(kind, exporter);
    s.received(length);
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
    // A FlowDatagram, written straight from the payload (no builder, message or ByteString copies).
    byte[] envelope = this.envelope.encode(exporter, from.getPort(), receivedNs, protocol, payload, length, udpSource,
        source == null ? 0 : source.getUpdatedNs());
    long sentAt = System.nanoTime();
    metrics.sending();
    Callback done = (metadata, error) -> {
      metrics.sent(System.nanoTime() - sentAt);
      if (error == null) {
        s.forwarded();
      } else {
        s.sendFailed(error.getClass().getSimpleName());
        logSendFailure("cannot send to " + config.flowsTopic + ": " + error);
      }
    };
    try {
      producer.send(new ProducerRecord<>(config.flowsTopic, exporter, envelope), done);
    } catch (RuntimeException e) {
      // send() itself failed (buffer full past max.block.ms, producer closed): the callback did not run.
      metrics.notSent();
      s.sendFailed(e.getClass().getSimpleName());
      logSendFailure("cannot send to " + config.flowsTopic + ": " + e);
    }
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

  /** Null while the collector is healthy, else why not (for /healthz). */
  public String unhealthy() {
    if (watcher.healthy()) {
      return null;
    }
    RuntimeException error = watcher.lastError();
    return "registry stale for " + watcher.stalenessMs() / 1000 + " s (limit " + config.sourcesMaxStaleMs / 1000 + " s)"
        + (error == null ? "" : ": " + error.getMessage());
  }

  /** The Prometheus text exposition of everything the collector counts. */
  public String metricsText() {
    return metrics.text();
  }

  /** Stops receiving, flushes the producer (waits for outstanding acknowledgements) and releases everything. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (listeners != null) {
      listeners.close();
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
}
