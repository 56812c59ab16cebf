package io.sluice.jobs;

import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.KafkaConnection;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The Kafka sources of Sluice's jobs. */
public final class KafkaSources {
  /** The job arguments that say where Kafka is and how to authenticate: {@code kafka=} and {@code kafka-config=}. */
  public static final Set<String> KEYS = Set.of("kafka", "kafka-config");

  /**
   * Consumer settings for a stream that may wait for its records (flows: rows commit at 10 s checkpoints): each fetch
   * waits for 1 MiB or 500 ms, so the broker answers a few large fetches a second instead of one per few datagrams,
   * and completes fewer of them by its delayed-fetch timer. Not for a source whose watermark follows the wall clock
   * (the L7 jobs' {@code CaptureWatermarks}): records held back by the wait would look like silence.
   */
  public static final Map<String, String> BATCHED = Map.of("fetch.min.bytes", "1048576", "fetch.max.wait.ms", "500");

  /**
   * Consumer settings for a topic that is idle nearly always (the source registry): a new record still returns at
   * once, an idle fetch asks the broker every 5 s instead of every 500 ms.
   */
  public static final Map<String, String> MOSTLY_IDLE = Map.of("fetch.min.bytes", "1", "fetch.max.wait.ms", "5000");

  private KafkaSources() {}

  /**
   * The job's Kafka connection: {@code kafka=} bootstrap servers, {@code kafka-config=} a client properties file with
   * the security settings, and the SLUICE_KAFKA_* environment of the JobManager ({@link KafkaConnection}).
   */
  public static KafkaConnection connection(Map<String, String> options) {
    String file = options.get("kafka-config");
    return KafkaConnection.of(options.getOrDefault("kafka", DefaultEndpoints.KAFKA), file == null ? null : Path.of(file));
  }

  /**
   * Resumes from the group's committed offsets (the topic's start on a first run); Flink's checkpoints hold the
   * offsets that count. {@code bounded} stops at the offsets present when the job starts: replays and tests.
   */
  public static <T> PauseSafeKafkaSource<T> resuming(KafkaConnection kafka, String topic, String group,
      boolean bounded, KafkaRecordDeserializationSchema<T> schema) {
    return resuming(kafka, topic, group, bounded, schema, Map.of());
  }

  /** As above, with further consumer settings (tests slow a consumer down with an interceptor). */
  public static <T> PauseSafeKafkaSource<T> resuming(KafkaConnection kafka, String topic, String group,
      boolean bounded, KafkaRecordDeserializationSchema<T> schema, Map<String, String> consumer) {
    KafkaSourceBuilder<T> builder = base(kafka, topic, schema).setGroupId(group)
        .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
    consumer.forEach(builder::setProperty);
    return build(builder, bounded);
  }

  /**
   * Reads the whole topic on every start, as a compacted registry must be read; its consumer is {@link #MOSTLY_IDLE}.
   */
  public static <T> PauseSafeKafkaSource<T> fromStart(KafkaConnection kafka, String topic, boolean bounded,
      KafkaRecordDeserializationSchema<T> schema) {
    return fromStart(kafka, topic, bounded, schema, MOSTLY_IDLE);
  }

  /** As above, with these consumer settings. */
  public static <T> PauseSafeKafkaSource<T> fromStart(KafkaConnection kafka, String topic, boolean bounded,
      KafkaRecordDeserializationSchema<T> schema, Map<String, String> consumer) {
    KafkaSourceBuilder<T> builder = base(kafka, topic, schema).setGroupId("sluice-registry-" + java.util.UUID.randomUUID())
        .setStartingOffsets(OffsetsInitializer.earliest());
    consumer.forEach(builder::setProperty);
    return build(builder, bounded);
  }

  private static <T> KafkaSourceBuilder<T> base(KafkaConnection kafka, String topic, KafkaRecordDeserializationSchema<T> schema) {
    return KafkaSource.<T>builder().setProperties(kafka.clientProperties()).setTopics(topic)
        .setDeserializer(new NativeLz4First<>(schema))
        .setProperty("partition.discovery.interval.ms", "10000");
  }

  /** Every source reads with {@link PauseSafeSplitReader}: bounded ones finish splits under watermark alignment. */
  private static <T> PauseSafeKafkaSource<T> build(KafkaSourceBuilder<T> builder, boolean bounded) {
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return new PauseSafeKafkaSource<>(builder.build());
  }

  /** {@code schema}, with lz4-java's native library loaded when the source reader opens it ({@link NativeLz4}). */
  private static final class NativeLz4First<T> implements KafkaRecordDeserializationSchema<T> {
    private final KafkaRecordDeserializationSchema<T> schema;

    NativeLz4First(KafkaRecordDeserializationSchema<T> schema) {
      this.schema = schema;
    }

    @Override
    public void open(org.apache.flink.api.common.serialization.DeserializationSchema.InitializationContext context)
        throws Exception {
      NativeLz4.load();
      schema.open(context);
    }

    @Override
    public void deserialize(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record,
        org.apache.flink.util.Collector<T> out) throws java.io.IOException {
      schema.deserialize(record, out);
    }

    @Override
    public org.apache.flink.api.common.typeinfo.TypeInformation<T> getProducedType() {
      return schema.getProducedType();
    }
  }
}
