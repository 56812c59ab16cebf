package io.sluice.jobs;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.store.TestKafka;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.kafka.source.metrics.KafkaSourceReaderMetrics;
import org.apache.flink.connector.kafka.source.reader.KafkaPartitionSplitReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FLINK-39728 against a real broker: a bounded split reaches its stopping offset and the fetch unassigns it; then
 * the pause or resume that watermark alignment queued before it heard of the finish arrives. The connector's reader
 * throws; {@link PauseSafeSplitReader} leaves the finished split out and still pauses and resumes the others.
 */
class PauseSafeSplitReaderTest {
  private static final int SHORT = 3;
  private static final int LONG = 40;
  private static String topic;

  @BeforeAll
  static void twoPartitions() throws Exception {
    topic = "pause-safe-" + UUID.randomUUID();
    String bootstrap = TestKafka.bootstrap();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
    }
    produce(0, SHORT);
    produce(1, LONG);
  }

  private static void produce(int partition, int records) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", TestKafka.bootstrap());
    try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, partition, null, new byte[] {(byte) i})).get();
      }
    }
  }

  @Test
  void theConnectorsReaderThrowsOnAFinishedSplit() throws Exception {
    try (KafkaPartitionSplitReader reader = new KafkaPartitionSplitReader(props(), CONTEXT, metrics(), null)) {
      KafkaPartitionSplit finished = readUntilShortFinishes(reader);
      assertThrows(IllegalStateException.class, () -> reader.pauseOrResumeSplits(List.of(finished), List.of()));
    }
  }

  @Test
  void ourReaderLeavesAFinishedSplitOutAndStillPausesAndResumesTheOthers() throws Exception {
    try (KafkaPartitionSplitReader reader = new PauseSafeSplitReader(props(), CONTEXT, metrics(), null)) {
      KafkaPartitionSplit finished = readUntilShortFinishes(reader);
      KafkaPartitionSplit open = new KafkaPartitionSplit(new TopicPartition(topic, 1), 0);
      assertDoesNotThrow(() -> reader.pauseOrResumeSplits(List.of(finished, open), List.of()));
      assertDoesNotThrow(() -> reader.pauseOrResumeSplits(List.of(), List.of(finished)));
      // the open split was paused: nothing of it comes until it is resumed, even records written meanwhile
      produce(1, SHORT);
      assertEquals(0, count(reader.fetch(), open.splitId()));
      reader.pauseOrResumeSplits(List.of(), List.of(finished, open));
      int read = 0;
      for (int polls = 0; read == 0 && polls < 100; polls++) {
        read += count(reader.fetch(), open.splitId());
      }
      assertTrue(read > 0, "the resumed split is read again");
    }
  }

  /** Adds a split that stops after {@link #SHORT} records and an unbounded one; fetches until the first finishes. */
  private static KafkaPartitionSplit readUntilShortFinishes(KafkaPartitionSplitReader reader) throws Exception {
    KafkaPartitionSplit shortSplit = new KafkaPartitionSplit(new TopicPartition(topic, 0), 0, SHORT);
    reader.handleSplitsChanges(new SplitsAddition<>(List.of(shortSplit,
        new KafkaPartitionSplit(new TopicPartition(topic, 1), 0, KafkaPartitionSplit.NO_STOPPING_OFFSET))));
    Set<String> finished = new HashSet<>();
    // each fetch polls at most 10 s; a minute of fetches is far beyond what three records need on any machine
    for (int polls = 0; !finished.contains(shortSplit.splitId()) && polls < 600; polls++) {
      RecordsWithSplitIds<ConsumerRecord<byte[], byte[]>> records = reader.fetch();
      count(records, null);
      finished.addAll(records.finishedSplits());
    }
    assertTrue(finished.contains(shortSplit.splitId()), "the short split finished");
    return shortSplit;
  }

  /** Drains {@code records}; the number of them from {@code splitId}. */
  private static int count(RecordsWithSplitIds<ConsumerRecord<byte[], byte[]>> records, String splitId) {
    int n = 0;
    for (String split = records.nextSplit(); split != null; split = records.nextSplit()) {
      while (records.nextRecordFromSplit() != null) {
        if (split.equals(splitId)) {
          n++;
        }
      }
    }
    records.recycle();
    return n;
  }

  private static Properties props() {
    Properties p = new Properties();
    p.put("bootstrap.servers", TestKafka.bootstrap());
    p.put("group.id", "pause-safe-" + UUID.randomUUID());
    p.put("client.id.prefix", "pause-safe");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    p.put("enable.auto.commit", "false");
    p.put("max.poll.records", "2");
    return p;
  }

  private static KafkaSourceReaderMetrics metrics() {
    return new KafkaSourceReaderMetrics(UnregisteredMetricsGroup.createSourceReaderMetricGroup());
  }

  private static final SourceReaderContext CONTEXT = new SourceReaderContext() {
    @Override
    public SourceReaderMetricGroup metricGroup() {
      return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
    }

    @Override
    public Configuration getConfiguration() {
      return new Configuration();
    }

    @Override
    public String getLocalHostName() {
      return "localhost";
    }

    @Override
    public int getIndexOfSubtask() {
      return 0;
    }

    @Override
    public void sendSplitRequest() {}

    @Override
    public void sendSourceEventToCoordinator(SourceEvent event) {}

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
      return SimpleUserCodeClassLoader.create(PauseSafeSplitReaderTest.class.getClassLoader());
    }
  };
}
