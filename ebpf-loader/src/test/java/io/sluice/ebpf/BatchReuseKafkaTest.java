package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ingest.PacketBatches;
import io.sluice.ingest.Topics;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The loader rewrites a batch's array as soon as KafkaProducer.send returns (PacketBatcher, reuse). With the loader's
 * producer settings and a real broker, every packet still arrives as it was added: send copied the value first.
 */
class BatchReuseKafkaTest {
  @Test
  void reusedArraysArriveIntact() throws Exception {
    String prefix = "reuse-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    String topic = prefix + Topics.PACKETS_RAW;
    int partitions = 2;
    List<List<CapturedPacket>> added = List.of(new ArrayList<>(), new ArrayList<>());
    int[] batches = {0};
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Loader.producerConfig(io.sluice.ingest.KafkaConnection.plaintext(TestKafka.bootstrap())),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      PacketBatcher b = new PacketBatcher(partitions, (p, value, n) -> {
        batches[0]++;
        producer.send(new ProducerRecord<byte[], byte[]>(topic, p, (byte[]) null, value,
            List.<org.apache.kafka.common.header.Header>of(new RecordHeader(PacketBatches.MESSAGE_HEADER, PacketBatches.BATCH_BYTES))));
      }, true);
      Random rnd = new Random(11);
      for (int drain = 0; drain < 3; drain++) {
        for (int i = 0; i < 1500; i++) {
          int p = rnd.nextInt(partitions);
          byte[] frame = new byte[rnd.nextInt(60, 400)];
          rnd.nextBytes(frame);
          CapturedPacket packet = PacketBatcherTest.packet(p, drain * 10_000 + i, 0).toBuilder()
              .setData(com.google.protobuf.ByteString.copyFrom(frame)).setSnapLen(frame.length).build();
          added.get(p).add(packet);
          b.add(p, packet.toByteArray());
        }
        b.flush();
      }
      producer.flush();
    }
    assertTrue(batches[0] > 3 * partitions * 2, batches[0] + " batches: full ones reuse their partition's buffer");

    List<List<CapturedPacket>> got = List.of(new ArrayList<>(), new ArrayList<>());
    Map<String, Object> props = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG, "test-" + prefix,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    int total = added.get(0).size() + added.get(1).size();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 30_000;
      while (got.get(0).size() + got.get(1).size() < total && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          got.get(r.partition()).addAll(CapturedPacketBatch.parseFrom(r.value()).getPacketsList());
        }
      }
    }
    for (int p = 0; p < partitions; p++) {
      assertEquals(added.get(p).size(), got.get(p).size(), "packets in partition " + p);
      assertEquals(added.get(p), got.get(p), "partition " + p + ": every packet as added, in order");
    }
  }
}
