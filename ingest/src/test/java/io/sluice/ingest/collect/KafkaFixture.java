package io.sluice.ingest.collect;

import io.sluice.stack.KafkaService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** A real KRaft broker on free loopback ports in a temporary directory, with fresh topics per test. */
public final class KafkaFixture implements AutoCloseable {
  final StackSettings settings;
  final KafkaService kafka;

  public KafkaFixture() {
    settings = TestStack.settings();
    kafka = TestStack.start(new KafkaService(settings), 60_000);
  }

  /** The broker's process id (benches read its CPU time). */
  public long brokerPid() {
    return kafka.processes().get(0).pid().orElseThrow();
  }

  public String bootstrap() {
    return settings.kafkaBootstrap();
  }

  /** Creates a flows topic (4 partitions) and a compacted sources topic (1) with unique names. */
  public String[] newTopics() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String flows = "flows-" + id;
    String sources = "sources-" + id;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      admin.createTopics(List.of(
          new NewTopic(flows, 4, (short) 1),
          new NewTopic(sources, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
    }
    return new String[] {flows, sources};
  }

  /** Reads a topic from the beginning until {@code expected} records arrived, then {@code settle} more for extras. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected, Duration timeout, Duration settle) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      long settleUntil = System.nanoTime() + settle.toNanos();
      while (System.nanoTime() < settleUntil) {
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
      return out;
    }
  }

  @Override
  public void close() {
    TestStack.stopAndDelete(settings, kafka);
  }
}
