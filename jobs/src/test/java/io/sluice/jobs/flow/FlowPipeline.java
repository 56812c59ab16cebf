package io.sluice.jobs.flow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.sluice.ingest.Topics;
import io.sluice.ingest.collect.Collector;
import io.sluice.ingest.collect.CollectorConfig;
import io.sluice.ingest.collect.ListenerKind;
import io.sluice.ingest.collect.UdpPayloads;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import io.sluice.wire.FlowDatagram;
import io.sluice.wire.FlowSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One test's own slice of the real services: Sluice's topics under a fresh prefix on the shared Kafka broker, a
 * migrated database of its own on a real ClickHouse, and the source registry of that prefix.
 */
final class FlowPipeline implements AutoCloseable {
  static final Path FIXTURES = TestStack.repoRoot().getParent().resolve("shared/fixtures");

  final String prefix;
  final String kafka;
  final String clickhouse;
  final String database;
  final ClickHouseHttp db;
  final SourcesTopic registry;
  private KafkaProducer<byte[], byte[]> producer;

  private FlowPipeline(String prefix, String kafka, String clickhouse, String database) {
    this.prefix = prefix;
    this.kafka = kafka;
    this.clickhouse = clickhouse;
    this.database = database;
    this.db = new ClickHouseHttp(clickhouse, database);
    this.registry = new SourcesTopic(kafka, prefix + Topics.SOURCES);
  }

  /** On the shared ClickHouse of this JVM. */
  static FlowPipeline create(String name) throws Exception {
    return create(name, TestClickHouse.url());
  }

  static FlowPipeline create(String name, String clickhouse) throws Exception {
    String prefix = name + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase(name);
    new Migrator(new ClickHouseHttp(clickhouse, null), database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    return new FlowPipeline(prefix, kafka, clickhouse, database);
  }

  /** Registers a source as `sluice sources add` does: validated against the registry, then written to its topic. */
  FlowSource register(String ipOrCidr, String name, Integer samplingRate, String site, List<String> interfaces) {
    return register(new Sources.Request(ipOrCidr, name, samplingRate, false, site, interfaces, null));
  }

  FlowSource register(Sources.Request request) {
    FlowSource source = Sources.build(request, System.currentTimeMillis() * 1_000_000L);
    Sources.checkConflicts(source, registry.readAll(Duration.ofSeconds(30), problem -> {}));
    registry.put(source);
    return source;
  }

  FlowSource register(String ipOrCidr, String name, Integer samplingRate) {
    return register(ipOrCidr, name, samplingRate, "lab", List.of());
  }

  /** FlowJob's arguments for this pipeline. */
  Map<String, String> jobArgs(long checkpointMs, boolean bounded) {
    return Map.of("kafka", kafka, "clickhouse", clickhouse, "database", database, "checkpoint-ms", Long.toString(checkpointMs),
        "bounded", Boolean.toString(bounded), "topic-prefix", prefix, "group", "test-" + prefix);
  }

  /** A real collector on loopback (ephemeral ports) producing into this pipeline's topics; only registered sources. */
  Collector startCollector() {
    return Collector.start(CollectorConfig.defaults()
        .bind("127.0.0.1")
        .port(ListenerKind.SFLOW, 0).port(ListenerKind.NETFLOW, 0).port(ListenerKind.IPFIX, 0)
        .sockets(1)
        .receiveBuffer(4 << 20)
        .kafka(kafka)
        .topics(prefix + Topics.FLOWS_RAW, prefix + Topics.SOURCES)
        .collectorId("test-" + prefix)
        .metrics("127.0.0.1", 0)
        .log(line -> {}));
  }

  /** Produces one datagram as a collector does: an envelope keyed by the exporter; waits for the acknowledgement. */
  void produce(byte[] exporter16, byte[] payload, long receivedNs) throws Exception {
    if (producer == null) {
      producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }
    FlowDatagram envelope = FlowDatagram.newBuilder()
        .setExporterAddr(ByteString.copyFrom(exporter16))
        .setReceivedNs(receivedNs)
        .setCollectorId("test")
        .setPayload(ByteString.copyFrom(payload))
        .build();
    producer.send(new ProducerRecord<>(prefix + Topics.FLOWS_RAW, exporter16, envelope.toByteArray())).get();
  }

  /** goflow2's NetFlow v9 capture: its template datagram, then its data datagram n times, 10 ms apart from t0. */
  static void produceTemplateThenData(FlowPipeline p, int n, long t0Ns) throws Exception {
    List<UdpPayloads.Datagram> capture = UdpPayloads.read(FIXTURES.resolve("flows/goflow2/nfv9_template_data.pcap"));
    byte[] exporter = capture.get(0).srcAddr16();
    p.produce(exporter, capture.get(0).payload(), t0Ns);
    for (int i = 1; i <= n; i++) {
      p.produce(exporter, capture.get(1).payload(), t0Ns + i * 10_000_000L);
    }
  }

  /** Runs FlowJob over what the flows topic holds now, to the end. */
  static void runBounded(FlowPipeline p, long checkpointMs) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    FlowJob.build(env, p.jobArgs(checkpointMs, true));
    env.execute("flowjob-" + p.prefix);
  }

  long count(String selectScalar) {
    return Long.parseLong(db.scalar(selectScalar));
  }

  /** The first row of a query, as text. */
  List<String> row(String select) {
    return db.query(select).rows().get(0);
  }

  /** tshark's totals for a fixture (shared/fixtures/oracle/flows/NAME.summary.json). */
  static JsonNode summary(String name) throws Exception {
    return new ObjectMapper().readTree(FIXTURES.resolve("oracle/flows/" + name + ".summary.json").toFile());
  }

  /** Polls until the condition holds; returns the milliseconds it took, or -1 after the timeout. */
  static long await(Duration timeout, Callable<Boolean> condition) throws Exception {
    long start = System.nanoTime();
    do {
      if (condition.call()) {
        return (System.nanoTime() - start) / 1_000_000;
      }
      Thread.sleep(50);
    } while (System.nanoTime() - start < timeout.toNanos());
    return condition.call() ? timeout.toMillis() : -1;
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close();
    }
  }
}
