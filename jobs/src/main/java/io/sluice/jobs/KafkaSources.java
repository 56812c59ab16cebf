package io.sluice.jobs;

import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The Kafka sources of Sluice's jobs. */
public final class KafkaSources {
  private KafkaSources() {}

  /**
   * Resumes from the group's committed offsets (the topic's start on a first run); Flink's checkpoints hold the
   * offsets that count. {@code bounded} stops at the offsets present when the job starts: replays and tests.
   */
  public static <T> KafkaSource<T> resuming(String bootstrap, String topic, String group, boolean bounded,
      KafkaRecordDeserializationSchema<T> schema) {
    return build(base(bootstrap, topic, schema).setGroupId(group)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST)), bounded);
  }

  /** Reads the whole topic on every start, as a compacted registry must be read. */
  public static <T> KafkaSource<T> fromStart(String bootstrap, String topic, boolean bounded,
      KafkaRecordDeserializationSchema<T> schema) {
    return build(base(bootstrap, topic, schema).setGroupId("sluice-registry-" + java.util.UUID.randomUUID())
        .setStartingOffsets(OffsetsInitializer.earliest()), bounded);
  }

  private static <T> KafkaSourceBuilder<T> base(String bootstrap, String topic, KafkaRecordDeserializationSchema<T> schema) {
    return KafkaSource.<T>builder().setBootstrapServers(bootstrap).setTopics(topic).setDeserializer(schema)
        .setProperty("partition.discovery.interval.ms", "10000");
  }

  private static <T> KafkaSource<T> build(KafkaSourceBuilder<T> builder, boolean bounded) {
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }
}
