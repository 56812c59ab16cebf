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
 *
 * <p>When the topic cannot be read (Kafka down, the topic gone), the last loaded registry stays in use and the
 * watcher reads the topic again from its beginning after a back-off (250 ms doubling to 30 s), publishing the new
 * registry only once it has caught up. Every {@link #CHECK} it confirms that it has read to the topic's end; the
 * time since the last confirmation is its {@link #stalenessMs() staleness}, and past {@code maxStale} it is no
 * longer {@link #healthy()}.
 */
public final class SourceWatcher implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(250);
  /** How often the watcher confirms it has read to the end of the topic. */
  static final Duration CHECK = Duration.ofSeconds(5);
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);
  private static final long FIRST_BACKOFF_MS = 250;
  private static final long MAX_BACKOFF_MS = 30_000;
  /** A registry older than this makes the watcher unhealthy unless told otherwise. */
  public static final Duration DEFAULT_MAX_STALE = Duration.ofMinutes(5);

  private final SourcesTopic topic;
  private final Consumer<String> log;
  private final Duration maxStale;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread thread;
  private final CountDownLatch loaded = new CountDownLatch(1);
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicLong updates = new AtomicLong();
  private final AtomicLong invalid = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile SourceTable table = SourceTable.EMPTY;
  private volatile RuntimeException failure;
  /** System.nanoTime() when the watcher last knew it had read to the topic's end; 0 before the first load. */
  private volatile long syncedNs;
  private volatile boolean closed;

  public SourceWatcher(SourcesTopic topic, Consumer<String> log) {
    this(topic, log, DEFAULT_MAX_STALE);
  }

  public SourceWatcher(SourcesTopic topic, Consumer<String> log, Duration maxStale) {
    this.topic = topic;
    this.log = log;
    this.maxStale = maxStale;
    this.consumer = SourcesTopic.newConsumer(topic.kafka());
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
        throw f != null ? f : new SourcesTopicException("timed out loading " + topic.topic() + " from " + topic.kafka() + topic.kafka().silenceHint());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new SourcesTopicException("interrupted while loading " + topic.topic(), e);
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

  /** True while the watcher runs and its registry is no older than {@code maxStale}. */
  public boolean healthy() {
    return thread.isAlive() && stalenessMs() <= maxStale.toMillis();
  }

  /** Milliseconds since the watcher last confirmed it had read the whole topic (while loading: since it started). */
  public long stalenessMs() {
    long synced = syncedNs;
    return synced == 0 ? 0 : (System.nanoTime() - synced) / 1_000_000;
  }

  /** Failed reads of the topic since start (each followed by a retry). */
  public long errors() {
    return errors.get();
  }

  /** The last error, or null. */
  public RuntimeException lastError() {
    return failure;
  }

  /** Malformed records skipped since start. */
  public long invalidRecords() {
    return invalid.get();
  }

  private void run() {
    long backoffMs = FIRST_BACKOFF_MS;
    try {
      while (!closed) {
        long syncedBefore = syncedNs;
        try {
          follow();
        } catch (WakeupException e) {
          return; // closing
        } catch (RuntimeException e) {
          if (closed) {
            return;
          }
          errors.incrementAndGet();
          if (syncedNs != syncedBefore) {
            backoffMs = FIRST_BACKOFF_MS; // it had recovered: a new outage starts the back-off afresh
          }
          failure = e instanceof SourcesTopicException ? e
              : new SourcesTopicException("cannot follow " + topic.topic() + " on " + topic.kafka() + ": " + e.getMessage(), e);
          log.accept("registry watcher: " + failure.getMessage() + "; keeping the last loaded registry (" + table.size()
              + " prefixes), retrying in " + backoffMs + " ms");
          if (closing.await(backoffMs, TimeUnit.MILLISECONDS)) {
            return;
          }
          backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      loaded.countDown();
      try {
        consumer.close(Duration.ofSeconds(2));
      } catch (RuntimeException ignored) {
        // best effort
      }
    }
  }

  /** Reads the topic from its beginning and follows it; returns only when closed, throws when Kafka fails. */
  private void follow() {
    Map<String, FlowSource> state = new HashMap<>();
    List<TopicPartition> partitions = topic.partitions(consumer, KAFKA_TIMEOUT);
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions, KAFKA_TIMEOUT);
    boolean caughtUp = false;
    long checkNs = 0;
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
      if (changed && caughtUp) {
        table = SourceTable.of(state.values());
      }
      if (!caughtUp && SourcesTopic.caughtUp(consumer, end)) {
        caughtUp = true;
        table = SourceTable.of(state.values()); // a re-read replaces the last registry only once it is whole
        synced();
        checkNs = System.nanoTime() + CHECK.toNanos();
        loaded.countDown();
      } else if (caughtUp && System.nanoTime() - checkNs >= 0) {
        // poll() does not fail while Kafka is away: ask for the end offsets, which does.
        end = consumer.endOffsets(partitions, KAFKA_TIMEOUT);
        if (SourcesTopic.caughtUp(consumer, end)) {
          synced();
        }
        checkNs = System.nanoTime() + CHECK.toNanos();
      }
    }
  }

  private void synced() {
    syncedNs = System.nanoTime();
    if (failure != null) {
      log.accept("registry watcher: reading " + topic.topic() + " again (" + table.size() + " prefixes)");
      failure = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    closing.countDown();
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
