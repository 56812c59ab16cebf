package io.sluice.jobs;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.synchronization.FutureCompletingBlockingQueue;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.metrics.KafkaSourceReaderMetrics;
import org.apache.flink.connector.kafka.source.reader.KafkaRecordEmitter;
import org.apache.flink.connector.kafka.source.reader.KafkaSourceReader;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.connector.kafka.source.reader.fetcher.KafkaSourceFetcherManager;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.flink.util.function.SerializableSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A {@link KafkaSource} whose readers read with {@link PauseSafeSplitReader} (FLINK-39728); everything else (the
 * enumerator, the serializers of splits and checkpoints, boundedness, lineage) is the Kafka source's own, so its
 * checkpoints are the same. The reader is built as {@code KafkaSource.createReader} in 5.0.0-2.2 builds it, from the
 * source's own consumer properties, deserializer and rack id. Remove it once a connector release with the fix is used.
 */
public final class PauseSafeKafkaSource<T> implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>,
    ResultTypeQueryable<T>, LineageVertexProvider {
  private static final long serialVersionUID = 1L;

  private final KafkaSource<T> kafka;
  private final Properties props;
  private final KafkaRecordDeserializationSchema<T> deserializer;
  private final SerializableSupplier<String> rackId;

  @SuppressWarnings("unchecked")
  public PauseSafeKafkaSource(KafkaSource<T> kafka) {
    this.kafka = kafka;
    // The built source's settings, as it reads them itself: its builder completed the properties (deserializers,
    // offset commits, client id prefix), and none of the three has a getter.
    this.props = (Properties) field(kafka, "props");
    this.deserializer = (KafkaRecordDeserializationSchema<T>) field(kafka, "deserializationSchema");
    this.rackId = (SerializableSupplier<String>) field(kafka, "rackIdSupplier");
  }

  /** The wrapped source (its settings). */
  public KafkaSource<T> kafkaSource() {
    return kafka;
  }

  /** A copy of the consumer properties its readers use. */
  public Properties consumerProperties() {
    Properties copy = new Properties();
    copy.putAll(props);
    return copy;
  }

  @Override
  public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
    deserializer.open(new DeserializationSchema.InitializationContext() {
      @Override
      public MetricGroup getMetricGroup() {
        return context.metricGroup().addGroup("deserializer");
      }

      @Override
      public UserCodeClassLoader getUserCodeClassLoader() {
        return context.getUserCodeClassLoader();
      }
    });
    KafkaSourceReaderMetrics metrics = new KafkaSourceReaderMetrics(context.metricGroup());
    FutureCompletingBlockingQueue<RecordsWithSplitIds<ConsumerRecord<byte[], byte[]>>> queue =
        new FutureCompletingBlockingQueue<>();
    KafkaSourceFetcherManager fetchers = new KafkaSourceFetcherManager(queue,
        () -> new PauseSafeSplitReader(props, context, metrics,
            Optional.ofNullable(rackId).map(SerializableSupplier::get).orElse(null)),
        finished -> {});
    Map<String, String> settings = new HashMap<>();
    props.stringPropertyNames().forEach(k -> settings.put(k, props.getProperty(k)));
    return new KafkaSourceReader<>(queue, fetchers, new KafkaRecordEmitter<>(deserializer),
        Configuration.fromMap(settings), context, metrics);
  }

  @Override
  public Boundedness getBoundedness() {
    return kafka.getBoundedness();
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context) {
    return kafka.createEnumerator(context);
  }

  @Override
  public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
      SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws Exception {
    return kafka.restoreEnumerator(context, state);
  }

  @Override
  public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
    return kafka.getSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
    return kafka.getEnumeratorCheckpointSerializer();
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return kafka.getProducedType();
  }

  @Override
  public LineageVertex getLineageVertex() {
    return kafka.getLineageVertex();
  }

  private static Object field(KafkaSource<?> kafka, String name) {
    try {
      Field f = KafkaSource.class.getDeclaredField(name);
      f.setAccessible(true);
      return f.get(kafka);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("flink-connector-kafka changed: KafkaSource has no field " + name
          + "; drop PauseSafeKafkaSource if the connector has the fix for FLINK-39728", e);
    }
  }
}
