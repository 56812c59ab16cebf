package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.Topics;
import io.sluice.ingest.capture.CaptureFrame;
import io.sluice.ingest.capture.CaptureReader;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.TestKafka;
import io.sluice.store.schema.Migrator;
import io.sluice.wire.FlowDatagram;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real fixture datagrams through a real Kafka broker, the FlowJob in a Flink MiniCluster and the exactly-once sink
 * into a real ClickHouse; the rows are compared with tshark's decode of the same captures.
 */
class FlowJobTest {
  private static final Path FIXTURES = TestStack.repoRoot().getParent().resolve("shared/fixtures");

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @Test
  void fixtureDatagramsLandDecodedLabelledAndSamplingCorrected() throws Exception {
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    String kafka = TestKafka.bootstrap();
    TestKafka.createTopics(prefix);
    String database = TestClickHouse.newDatabase("flowjob");
    ClickHouseHttp server = new ClickHouseHttp(TestClickHouse.url(), null);
    new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();

    SourcesTopic registry = new SourcesTopic(kafka, prefix + Topics.SOURCES);
    // Rates known from the exporter's own fields: the registry adds names only.
    registry.put(Sources.build(new Sources.Request("192.168.0.1", "edge-sampled", null, false, "lab",
        List.of("0=ge-0/0/0"), null), 1));
    // NetFlow v5 without a rate in its header: the configured rate applies, and says so.
    registry.put(Sources.build(new Sources.Request("127.0.2.0/24", "edge-v5", 100, false, "dc1", List.of(), null), 2));

    int sent = produce(kafka, prefix + Topics.FLOWS_RAW, "akvorado/netflow/samplingrate", "goflow2/nfv5");
    assertTrue(sent > 0);

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    FlowJob.build(env, Map.of("kafka", kafka, "clickhouse", TestClickHouse.url(), "database", database,
        "checkpoint-ms", "300", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix));
    env.execute("flowjob-test");

    ClickHouseHttp db = server.withDatabase(database);
    JsonNode sampled = summary("akvorado__netflow__samplingrate");
    assertEquals(List.of(List.of(sampled.path("data_records").asText(), sampled.path("total_bytes").asText(),
            sampled.path("total_packets").asText(), sampled.path("corrected_total_bytes").asText(), "2048", "packet", "lab")),
        db.query("SELECT count(), sum(sampled_bytes), sum(sampled_packets), sum(est_bytes), any(sampling_rate),"
            + " any(sampling_rate_source), any(site) FROM flows WHERE exporter_name = 'edge-sampled'").rows());

    JsonNode v5 = summary("goflow2__nfv5");
    long bytes = v5.path("total_bytes").asLong();
    assertEquals(List.of(List.of(v5.path("data_records").asText(), Long.toString(bytes), Long.toString(bytes * 100),
            "100", "configured", "dc1")),
        db.query("SELECT count(), sum(sampled_bytes), sum(est_bytes), any(sampling_rate), any(sampling_rate_source),"
            + " any(site) FROM flows WHERE exporter_name = 'edge-v5'").rows());
    assertEquals("0", db.scalar("SELECT count() FROM flows WHERE exporter_name = ''"), "every row is labelled");
    assertEquals("0", db.scalar("SELECT count() FROM flows WHERE time = 0"), "every row has its second");
  }

  private static JsonNode summary(String name) throws Exception {
    return new ObjectMapper().readTree(FIXTURES.resolve("oracle/flows/" + name + ".summary.json").toFile()).path("netflow_ipfix");
  }

  /** Sends each capture's UDP payloads as collectors do: an envelope keyed by the exporter (the UDP source). */
  private static int produce(String kafka, String topic, String... captures) throws Exception {
    int sent = 0;
    PacketHeader packet = new PacketHeader();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
      for (String capture : captures) {
        try (CaptureReader reader = CaptureReader.open(FIXTURES.resolve("flows/" + capture + ".pcap"))) {
          for (CaptureFrame frame : reader) {
            if (!PacketParser.parse(frame.linkType(), frame.data(), 0, frame.data().length, packet)
                || packet.protocol != PacketParser.PROTO_UDP || packet.payloadLength == 0) {
              continue;
            }
            byte[] exporter = packet.srcAddr.clone();
            FlowDatagram envelope = FlowDatagram.newBuilder()
                .setExporterAddr(ByteString.copyFrom(exporter))
                .setExporterPort(packet.srcPort)
                .setReceivedNs(frame.timestampNs())
                .setCollectorId("test")
                .setPayload(ByteString.copyFrom(frame.data(), packet.payloadOffset, packet.payloadLength))
                .build();
            producer.send(new ProducerRecord<>(topic, exporter, envelope.toByteArray())).get();
            sent++;
          }
        }
      }
    }
    return sent;
  }
}
