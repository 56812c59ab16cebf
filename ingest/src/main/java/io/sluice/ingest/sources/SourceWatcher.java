package io.sluice.ingest.sources;

import io.sluice.wire.FlowSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Follows sluice.sources for as long as it runs and publishes an immutable {@link SourceTable} after each batch of
 * changes, so a registration reaches the collectors within a poll interval (250 ms) of being written. It reads
 * from the beginning at start and reports when it has caught up with the end, so a collector does not reject
 * registered exporters while it is still loading.
 */
public final class SourceWatcher implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(250);

  private final SourcesTopic topic;
  private final Consumer<String> log;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final CountDownLatch loaded = new CountDownLatch(1);
  private final AtomicLong updates = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private volatile SourceTable table = SourceTable.EMPTY;
  private volatile RuntimeException failure;
  private volatile boolean closed;

  public SourceWatcher(SourcesTopic topic, Consumer<String> log) {
    this.topic = topic;
    this.log = log;
    this.consumer = SourcesTopic.newConsumer(topic.bootstrap());
    this.thread = new Thread(this::run, "sluice-sources-watcher");
    this.thread.setDaemon(true);
  }

  /** Starts following the topic and waits until the registry is loaded; throws if it cannot be read in time. */
  public SourceWatcher start(Duration loadTimeout) {
    thread.start();
    try {
      if (!loaded.await(loadTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        RuntimeException f = failure;
        close();
        throw f != null ? f : new SourcesTopicException("timed out loading " + topic.topic() + " from " + topic.bootstrap());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new SourcesTopicException("interrupted while loading " + topic.topic(), e);
    }
    if (failure != null) {
      close();
      throw failure;
    }
    return this;
  }

  public SourceTable table() {
    return table;
  }

  /** Records applied since start (registrations and removals). */
  public long updates() {
    return updates.get();
  }

  /** True while the watcher follows the topic; false once it has stopped on an error. */
  public boolean healthy() {
    return thread.isAlive() && failure == null;
  }

  /** Malformed records skipped since start. */
  public long invalidRecords() {
    return invalid.get();
  }

  private void run() {
    Map<String, FlowSource> state = new HashMap<>();
    try {
      List<TopicPartition> partitions = topic.partitions(consumer, Duration.ofSeconds(30));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      boolean caughtUp = false;
      while (!closed) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        boolean changed = false;
        for (ConsumerRecord<byte[], byte[]> r : records) {
          if (SourcesTopic.apply(state, r, problem -> {
            invalid.incrementAndGet();
            log.accept(problem);
          })) {
            updates.incrementAndGet();
            changed = true;
          }
        }
        if (changed) {
          table = SourceTable.of(state.values());
        }
        if (!caughtUp && SourcesTopic.caughtUp(consumer, end)) {
          caughtUp = true;
          table = SourceTable.of(state.values());
          loaded.countDown();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closed) {
        failure = e instanceof SourcesTopicException ? e
            : new SourcesTopicException("cannot follow " + topic.topic() + " on " + topic.bootstrap() + ": " + e.getMessage(), e);
        log.accept("registry watcher stopped: " + failure.getMessage() + "; the last loaded registry stays in use");
      }
    } finally {
      loaded.countDown();
      try {
        consumer.close(Duration.ofSeconds(2));
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
