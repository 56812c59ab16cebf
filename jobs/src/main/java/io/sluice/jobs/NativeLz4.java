package io.sluice.jobs;

import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka's LZ4 codec (lz4-java) picks its JNI build only when it was loaded by the system class loader or its native
 * library is already loaded; in a Flink job's own class loader it falls back to pure Java, which was the Kafka
 * fetcher thread's largest cost in FlowJob's TaskManager profile (issue 22). Loading the native library before the
 * first fetch makes Kafka's decompressor and checksum the JNI ones. A platform without it keeps the Java codec.
 */
public final class NativeLz4 {
  private NativeLz4() {}

  /** True when lz4-java's native library is loaded in this class loader (now or before). */
  public static boolean load() {
    try {
      // By name: lz4-java is kafka-clients' runtime dependency, in this class loader beside the Kafka classes.
      Class<?> nativeLib = Class.forName("net.jpountz.util.Native", true, NativeLz4.class.getClassLoader());
      nativeLib.getMethod("load").invoke(null);
      return (Boolean) nativeLib.getMethod("isLoaded").invoke(null);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException unavailable) {
      return false; // no lz4-java, or no native build for this platform: Kafka keeps the Java codec
    }
  }

  /** {@code schema}, with the native library loaded when the source reader opens it (before its first fetch). */
  static <T> KafkaRecordDeserializationSchema<T> loadingFirst(KafkaRecordDeserializationSchema<T> schema) {
    return new Loading<>(schema);
  }

  private static final class Loading<T> implements KafkaRecordDeserializationSchema<T> {
    private final KafkaRecordDeserializationSchema<T> schema;

    Loading(KafkaRecordDeserializationSchema<T> schema) {
      this.schema = schema;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
      load();
      schema.open(context);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<T> out) throws IOException {
      schema.deserialize(record, out);
    }

    @Override
    public TypeInformation<T> getProducedType() {
      return schema.getProducedType();
    }
  }
}
