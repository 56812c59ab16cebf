package io.sluice.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.Main;
import io.sluice.cli.stack.KafkaTopics;
import io.sluice.ingest.Topics;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.stack.KafkaService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.ingest.ConversationKey;
import io.sluice.ingest.PacketBatches;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** `sluice replay`: its options, and a real capture into a real broker, read back frame by frame. */
class ReplayCommandTest {
  private static final Path CAPTURE = TestStack.repoRoot().getParent().resolve("shared/fixtures/l7/zeek/http_get.pcap");

  private static int run(StringWriter err, String... args) {
    return Main.newCommandLine().setOut(new PrintWriter(new StringWriter(), true)).setErr(new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void rateAndAsFastAsPossibleExcludeEachOtherAndRateMustBePositive() {
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, "replay", CAPTURE.toString(), "--rate", "2", "--as-fast-as-possible"));
    assertTrue(err.toString().contains("mutually exclusive"), err.toString());
    assertEquals(2, run(new StringWriter(), "replay", CAPTURE.toString(), "--rate", "0"));
    StringWriter missing = new StringWriter();
    assertEquals(1, run(missing, "replay", "/nonexistent.pcap", "--as-fast-as-possible"));
    assertTrue(missing.toString().contains("no such capture file"), missing.toString());
  }

  @Test
  void everyFrameArrivesAsACapturedPacketKeyedByItsConversation() throws Exception {
    StackSettings settings = TestStack.settings();
    KafkaService kafka = TestStack.start(new KafkaService(settings), 60_000);
    try {
      KafkaTopics.ensure(settings.kafkaBootstrap(), new PrintWriter(new StringWriter()));
      StringWriter err = new StringWriter();
      assertEquals(0, run(err, "replay", CAPTURE.toString(), "--as-fast-as-possible", "--kafka",
          settings.kafkaBootstrap(), "--node", "edge-7", "--packets-per-record", "1"), err.toString());

      List<CaptureFrame> frames = new ArrayList<>();
      try (CaptureReader reader = CaptureReader.open(CAPTURE)) {
        reader.forEach(frames::add);
      }
      List<ConsumerRecord<byte[], byte[]>> records = consume(settings.kafkaBootstrap(), frames.size());
      assertEquals(frames.size(), records.size());
      Set<String> keys = new HashSet<>();
      for (int i = 0; i < frames.size(); i++) {
        CapturedPacket p = CapturedPacket.parseFrom(records.get(i).value());
        CaptureFrame f = frames.get(i);
        assertEquals(f.timestampNs(), p.getCapturedNs());
        assertEquals("edge-7", p.getNode());
        assertEquals(f.linkType(), p.getLinkTypeValue());
        assertEquals(f.originalLength(), p.getOrigLen());
        assertEquals(f.capturedLength(), p.getSnapLen());
        assertEquals(com.google.protobuf.ByteString.copyFrom(f.data()), p.getData());
        assertEquals(36, records.get(i).key().length);
        keys.add(java.util.HexFormat.of().formatHex(records.get(i).key()));
      }
      assertEquals(1, keys.size(), "one TCP connection, both directions: one key");
    } finally {
      TestStack.stopAndDelete(settings, kafka);
    }
  }

  @Test
  void packetsPerRecordSendsBatchesInOrderToTheirConversationsPartition() throws Exception {
    StackSettings settings = TestStack.settings();
    KafkaService kafka = TestStack.start(new KafkaService(settings), 60_000);
    try {
      KafkaTopics.ensure(settings.kafkaBootstrap(), new PrintWriter(new StringWriter()));
      StringWriter err = new StringWriter();
      assertEquals(2, run(err, "replay", CAPTURE.toString(), "--packets-per-record", "0"));
      assertEquals(0, run(err, "replay", CAPTURE.toString(), "--as-fast-as-possible", "--kafka",
          settings.kafkaBootstrap(), "--node", "edge-7", "--packets-per-record", "4"), err.toString());

      List<CaptureFrame> frames = new ArrayList<>();
      try (CaptureReader reader = CaptureReader.open(CAPTURE)) {
        reader.forEach(frames::add);
      }
      int batches = (frames.size() + 3) / 4;
      List<ConsumerRecord<byte[], byte[]>> records = consume(settings.kafkaBootstrap(), batches);
      assertEquals(batches, records.size());
      byte[] key = new byte[ConversationKey.LENGTH];
      assertTrue(ConversationKey.ofFrame(frames.get(0).linkType(), frames.get(0).data(), 0, frames.get(0).capturedLength(), key));
      int partition = PacketBatches.partition(key, 4);
      List<CapturedPacket> packets = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        assertTrue(PacketBatches.isBatch(r.headers()), "marked as a batch");
        assertEquals(partition, r.partition(), "the partition the conversation's key gives");
        List<CapturedPacket> batch = CapturedPacketBatch.parseFrom(r.value()).getPacketsList();
        assertTrue(batch.size() >= 1 && batch.size() <= 4, batch.size() + " packets");
        packets.addAll(batch);
      }
      assertEquals(frames.size(), packets.size());
      for (int i = 0; i < frames.size(); i++) {
        assertEquals(frames.get(i).timestampNs(), packets.get(i).getCapturedNs(), "in capture order");
        assertEquals(com.google.protobuf.ByteString.copyFrom(frames.get(i).data()), packets.get(i).getData());
        assertEquals("edge-7", packets.get(i).getNode());
      }
    } finally {
      TestStack.stopAndDelete(settings, kafka);
    }
  }

  @Test
  void byDefaultPacketsGoInTheLoadersBatchesOnePerPartitionPerGatherTime() throws Exception {
    StackSettings settings = TestStack.settings();
    KafkaService kafka = TestStack.start(new KafkaService(settings), 60_000);
    try {
      KafkaTopics.ensure(settings.kafkaBootstrap(), new PrintWriter(new StringWriter()));
      StringWriter err = new StringWriter();
      assertEquals(0, run(err, "replay", CAPTURE.toString(), "--as-fast-as-possible", "--kafka",
          settings.kafkaBootstrap()), err.toString());

      List<CaptureFrame> frames = new ArrayList<>();
      try (CaptureReader reader = CaptureReader.open(CAPTURE)) {
        reader.forEach(frames::add);
      }
      // 14 frames of one connection, far below 64 KiB: the 5th (0.139 s) is the first 100 ms (GATHER_MS) or more after
      // the 1st, and none comes 100 ms after the 5th, so the loader's rule gives a batch of 4 and one of the other 10.
      assertEquals(14, frames.size());
      assertEquals(100, PacketBatches.GATHER_MS);
      List<ConsumerRecord<byte[], byte[]>> records = consume(settings.kafkaBootstrap(), 2);
      assertEquals(2, records.size());
      List<Integer> sizes = new ArrayList<>();
      List<CapturedPacket> packets = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        assertTrue(PacketBatches.isBatch(r.headers()), "marked as a batch");
        List<CapturedPacket> batch = CapturedPacketBatch.parseFrom(r.value()).getPacketsList();
        sizes.add(batch.size());
        packets.addAll(batch);
      }
      assertEquals(List.of(4, 10), sizes);
      for (int i = 0; i < frames.size(); i++) {
        assertEquals(frames.get(i).timestampNs(), packets.get(i).getCapturedNs(), "in capture order");
      }
    } finally {
      TestStack.stopAndDelete(settings, kafka);
    }
  }

  @Test
  void byDefaultABatchStopsBeforeTheLoadersByteLimit() throws Exception {
    // Over 64 KiB of one download within 100 ms of capture time: the loader's batch is cut by size there.
    Path capture = CAPTURE.resolveSibling("http_bro.org.pcap");
    StackSettings settings = TestStack.settings();
    KafkaService kafka = TestStack.start(new KafkaService(settings), 60_000);
    try {
      KafkaTopics.ensure(settings.kafkaBootstrap(), new PrintWriter(new StringWriter()));
      StringWriter err = new StringWriter();
      assertEquals(0, run(err, "replay", capture.toString(), "--as-fast-as-possible", "--kafka",
          settings.kafkaBootstrap()), err.toString());
      long frames;
      try (CaptureReader reader = CaptureReader.open(capture)) {
        frames = java.util.stream.StreamSupport.stream(reader.spliterator(), false).count();
      }
      long packets = 0;
      int largest = 0;
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap(),
          ConsumerConfig.GROUP_ID_CONFIG, "replay-test-bytes",
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
        consumer.subscribe(List.of(Topics.PACKETS_RAW));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();  // a ceiling for a busy machine
        while (packets < frames && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            packets += PacketBatches.isBatch(r.headers()) ? CapturedPacketBatch.parseFrom(r.value()).getPacketsCount() : 1;
            largest = Math.max(largest, r.value().length);
          }
        }
      }
      assertEquals(frames, packets);
      assertTrue(largest <= PacketBatches.MAX_BYTES, largest + " bytes in one record");
      assertTrue(largest > PacketBatches.MAX_BYTES / 2, largest + " bytes: the capture should fill a batch");
    } finally {
      TestStack.stopAndDelete(settings, kafka);
    }
  }

  /** All records of the single partition that holds them, in order. */
  private static List<ConsumerRecord<byte[], byte[]>> consume(String bootstrap, int expected) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, "replay-test",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
      consumer.subscribe(List.of(Topics.PACKETS_RAW));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();  // a ceiling for a busy machine
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
