package io.sluice.jobs.l7;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer interceptor that takes {@link #POLL_MS} over every poll that returns records, as a fetcher on a busy
 * machine might: about one poll per watermark-alignment update (100 ms), so that alignment can hold a partition back
 * before it has read the whole of a small backlog.
 */
public final class SlowPolls implements ConsumerInterceptor<byte[], byte[]> {
  static final long POLL_MS = 100;

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    if (!records.isEmpty()) {
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
