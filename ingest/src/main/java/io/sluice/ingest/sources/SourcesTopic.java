package io.sluice.ingest.sources;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.ingest.KafkaConnection;
import io.sluice.ingest.Topics;
import io.sluice.wire.FlowSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The registry's home, the compacted topic sluice.sources: key = canonical prefix text (UTF-8), value = FlowSource,
 * removal = tombstone. Reads assign the partitions directly (no consumer group), so any number of readers can
 * each see the whole registry.
 */
public final class SourcesTopic {
  private final KafkaConnection kafka;
  private final String topic;

  /** The default topic on {@code bootstrap}, with the security settings of the environment ({@link KafkaConnection#of(String)}). */
  public SourcesTopic(String bootstrap) {
    this(KafkaConnection.of(bootstrap), Topics.SOURCES);
  }

  public SourcesTopic(String bootstrap, String topic) {
    this(KafkaConnection.of(bootstrap), topic);
  }

  public SourcesTopic(KafkaConnection kafka, String topic) {
    this.kafka = kafka;
    this.topic = topic;
  }

  public String topic() {
    return topic;
  }

  public KafkaConnection kafka() {
    return kafka;
  }

  /** The registry as of now: every key's last value, tombstones applied, malformed records reported and skipped. */
  public Map<String, FlowSource> readAll(Duration timeout, Consumer<String> problems) {
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer(kafka)) {
      List<TopicPartition> partitions = partitions(consumer, timeout);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      Map<String, FlowSource> state = new TreeMap<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new SourcesTopicException("timed out reading " + topic + " from " + kafka + kafka.silenceHint());
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          apply(state, r, problems);
        }
      }
      return state;
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new SourcesTopicException("cannot read " + topic + " from Kafka at " + kafka + ": " + e.getMessage()
          + (e instanceof org.apache.kafka.common.errors.TimeoutException ? kafka.silenceHint() : ""), e);
    }
  }

  /** Writes a registration and waits until the broker has it (acks=all). */
  public void put(FlowSource source) {
    send(Sources.key(source), source.toByteArray());
  }

  /** Writes the tombstone for a key and waits for it. */
  public void remove(String key) {
    send(key, null);
  }

  private void send(String key, byte[] value) {
    Properties p = kafka.clientProperties();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new SourcesTopicException("cannot write " + key + " to " + topic + " on " + kafka + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new SourcesTopicException("timed out writing " + key + " to " + topic + " on " + kafka + kafka.silenceHint(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SourcesTopicException("interrupted while writing " + key + " to " + topic, e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new SourcesTopicException("cannot write " + key + " to " + topic + " on " + kafka + ": " + e.getMessage(), e);
    }
  }

  static KafkaConsumer<byte[], byte[]> newConsumer(KafkaConnection kafka) {
    Properties p = kafka.clientProperties();
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new SourcesTopicException("the topic " + topic + " does not exist on " + kafka
          + ": start the local stack with `sluice up`, which creates it, or point --kafka at the right broker");
    }
    return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
  }

  static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Applies one topic record to a registry map; returns false when the record was malformed and skipped. */
  static boolean apply(Map<String, FlowSource> state, ConsumerRecord<byte[], byte[]> r, Consumer<String> problems) {
    if (r.key() == null) {
      problems.accept(r.topic() + " offset " + r.offset() + ": record without a key, skipped");
      return false;
    }
    String key = new String(r.key(), StandardCharsets.UTF_8);
    if (r.value() == null) {
      state.remove(key);
      return true;
    }
    try {
      FlowSource s = FlowSource.parseFrom(r.value());
      String problem = Sources.problemWith(key, s);
      if (problem != null) {
        problems.accept(r.topic() + " offset " + r.offset() + ": " + problem + ", skipped");
        return false;
      }
      state.put(key, s);
      return true;
    } catch (InvalidProtocolBufferException e) {
      problems.accept(r.topic() + " offset " + r.offset() + ": not a FlowSource (" + e.getMessage() + "), skipped");
      return false;
    }
  }

  static Map<String, FlowSource> copy(Map<String, FlowSource> state) {
    return new HashMap<>(state);
  }
}
