package io.sluice.ingest.collect;

import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.KafkaConnection;
import io.sluice.ingest.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** How a collector runs. Fluent setters; {@link #defaults()} gives the IANA ports and the local stack's Kafka. */
public final class CollectorConfig {
  String bindAddress = "0.0.0.0";
  final Map<ListenerKind, Integer> ports = new EnumMap<>(ListenerKind.class);
  int socketsPerPort = Math.max(1, Runtime.getRuntime().availableProcessors());
  int receiveBufferBytes = 32 << 20;
  /** 50 ms, not 5: a tenth of the produce requests per record for the collector and the broker (BENCHMARKS.md). */
  int lingerMs = 50;
  /** The producer's compression.type (none, lz4, zstd, ...); benches compare codecs. */
  String compression = "lz4";
  KafkaConnection kafka = KafkaConnection.plaintext(DefaultEndpoints.KAFKA);
  String flowsTopic = Topics.FLOWS_RAW;
  String sourcesTopic = Topics.SOURCES;
  boolean labMode;
  String collectorId = hostname();
  String metricsHost = DefaultEndpoints.HOST;
  Integer metricsPort = DefaultEndpoints.COLLECTOR_METRICS_PORT;
  Consumer<String> log = System.err::println;
  long sourcesLoadTimeoutMs = 30_000;
  long sourcesMaxStaleMs = io.sluice.ingest.sources.SourceWatcher.DEFAULT_MAX_STALE.toMillis();

  private CollectorConfig() {}

  public static CollectorConfig defaults() {
    CollectorConfig c = new CollectorConfig();
    for (ListenerKind k : ListenerKind.values()) {
      c.ports.put(k, k.defaultPort());
    }
    return c;
  }

  /** The address every listener (and by default the metrics server) binds: 0.0.0.0, ::, 127.0.0.1 ... */
  public CollectorConfig bind(String address) {
    this.bindAddress = address;
    return this;
  }

  /** A listener's UDP port: 0 picks a free one (tests), null turns the listener off. */
  public CollectorConfig port(ListenerKind kind, Integer port) {
    if (port == null) {
      ports.remove(kind);
    } else {
      ports.put(kind, port);
    }
    return this;
  }

  /** Sockets per port, sharing it with SO_REUSEPORT; the kernel spreads exporters over them by address hash. */
  public CollectorConfig sockets(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("sockets must be 1 or more");
    }
    this.socketsPerPort = n;
    return this;
  }

  /** SO_RCVBUF to ask for; the kernel caps it at net.core.rmem_max (the collector reports what it got). */
  public CollectorConfig receiveBuffer(int bytes) {
    this.receiveBufferBytes = bytes;
    return this;
  }

  /** The values the producer's compression.type takes (Kafka's documentation of the setting). */
  public static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");

  /** The producer's compression.type: one of {@link #COMPRESSIONS}. */
  public CollectorConfig compression(String codec) {
    if (codec == null || !COMPRESSIONS.contains(codec)) {
      throw new IllegalArgumentException("compression \"" + codec + "\" is not one of " + String.join(", ", COMPRESSIONS));
    }
    this.compression = codec;
    return this;
  }

  /** How long the producer waits to fill a batch (linger.ms); benches compare values. */
  public CollectorConfig linger(int ms) {
    this.lingerMs = ms;
    return this;
  }

  /** {@code bootstrap} with the security settings of the environment ({@link KafkaConnection#of(String)}). */
  public CollectorConfig kafka(String bootstrap) {
    return kafka(KafkaConnection.of(bootstrap));
  }

  public CollectorConfig kafka(KafkaConnection connection) {
    this.kafka = connection;
    return this;
  }

  public CollectorConfig topics(String flows, String sources) {
    this.flowsTopic = flows;
    this.sourcesTopic = sources;
    return this;
  }

  /** Accept datagrams from any source, registered or not. */
  public CollectorConfig labMode(boolean on) {
    this.labMode = on;
    return this;
  }

  public CollectorConfig collectorId(String id) {
    this.collectorId = id;
    return this;
  }

  /** Where /metrics is served; port null: no HTTP server (the text is still available from the collector). */
  public CollectorConfig metrics(String host, Integer port) {
    this.metricsHost = host;
    this.metricsPort = port;
    return this;
  }

  public CollectorConfig log(Consumer<String> sink) {
    this.log = sink;
    return this;
  }

  public CollectorConfig sourcesLoadTimeoutMs(long ms) {
    this.sourcesLoadTimeoutMs = ms;
    return this;
  }

  /** How old the registry may get (sluice.sources unreadable) before /healthz fails. */
  public CollectorConfig sourcesMaxStaleMs(long ms) {
    this.sourcesMaxStaleMs = ms;
    return this;
  }

  static String hostname() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException | RuntimeException ignored) {
      // fall through
    }
    String env = System.getenv("HOSTNAME");
    return env == null || env.isBlank() ? "collector" : env;
  }
}
