package io.sluice.ebpf.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Acknowledges every record at once and keeps none: measures the loader without a broker. */
public final class NullProducer extends MockProducer<byte[], byte[]> {
  public NullProducer() {
    super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** As the real topic (Topics: 4 partitions), so the loader batches packets per partition as it does in production. */
  @Override
  public synchronized java.util.List<org.apache.kafka.common.PartitionInfo> partitionsFor(String topic) {
    return java.util.stream.IntStream.range(0, 4)
        .mapToObj(i -> new org.apache.kafka.common.PartitionInfo(topic, i, null, null, null)).toList();
  }

  @Override
  public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
    RecordMetadata md = new RecordMetadata(new TopicPartition(r.topic(), r.partition() == null ? 0 : r.partition()), 0, 0, 0, r.key() == null ? 0 : r.key().length, r.value().length);
    if (callback != null) {
      callback.onCompletion(md, null);
    }
    return CompletableFuture.completedFuture(md);
  }
}
