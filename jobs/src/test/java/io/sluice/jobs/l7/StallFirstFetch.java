package io.sluice.jobs.l7;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer interceptor that holds the first records of partition 0 of the packets topic for {@link #STALL_MS}
 * before handing them on, as a starved fetcher thread on a busy machine does: longer than the 10 s idle timeout the
 * bounded jobs used to have, so the other partitions move event time on while partition 0 has not delivered.
 * {@link #STALL_MS_KEY} and {@link #PARTITION_KEY} in the consumer's settings set another stall and partition.
 */
public final class StallFirstFetch implements ConsumerInterceptor<byte[], byte[]> {
  static final long STALL_MS = 12_000;
  static final String STALL_MS_KEY = "sluice.test.stall-first-fetch-ms";
  static final String PARTITION_KEY = "sluice.test.stall-first-fetch-partition";
  private long stallMs = STALL_MS;
  private int partition;
  private boolean stalled;

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    if (!stalled) {
      for (TopicPartition tp : records.partitions()) {
        if (tp.partition() == partition && tp.topic().endsWith("packets.raw")) {
          stalled = true;
          System.out.println("StallFirstFetch: holding the first records of " + tp + " for " + stallMs + " ms");
          try {
            Thread.sleep(stallMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          break;
        }
      }
    }
    return records;
  }

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {
    Object ms = configs.get(STALL_MS_KEY);
    if (ms != null) {
      stallMs = Long.parseLong(ms.toString());
    }
    Object p = configs.get(PARTITION_KEY);
    if (p != null) {
      partition = Integer.parseInt(p.toString());
    }
  }
}
