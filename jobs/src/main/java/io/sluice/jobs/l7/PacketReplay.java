package io.sluice.jobs.l7;

import com.google.protobuf.ByteString;
import io.sluice.ingest.KafkaConnection;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.ingest.ConversationKey;
import io.sluice.ingest.PacketBatches;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import io.sluice.wire.Direction;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Feeds a capture file into sluice.packets.raw as {@code CapturedPacket}s (or batches of them), keyed as the eBPF loader keys them
 * ({@link ConversationKey}): what {@code sluice replay} runs, and the L7 tests' input.
 */
public final class PacketReplay {
  /** What was sent: frames, their captured bytes, and the wall time it took until Kafka acknowledged all. */
  public record Result(long packets, long bytes, long nanos) {}

  /**
   * packetsPerRecord for the eBPF loader's batches ({@link PacketBatches#MAX_BYTES}): each partition's packets gathered
   * until the next would take the batch past MAX_BYTES, and every batch sent once the capture's clock passes
   * {@link PacketBatches#GATHER_MS} since the last send, as the loader drains its ring at most that far apart.
   */
  public static final int LOADER_BATCHES = 0;

  private PacketReplay() {}

  /**
   * Sends every frame of {@code capture} to {@code topic}. {@code rate} x the capture's own pace (1 = real time);
   * 0 or less: as fast as Kafka takes them.
   */
  public static Result run(Path capture, String bootstrap, String topic, String node, double rate)
      throws IOException, InterruptedException {
    return run(capture, bootstrap, topic, node, rate, 0);
  }

  /** As {@link #run(Path, String, String, String, double)}, with every capture time moved by {@code shiftNs}. */
  public static Result run(Path capture, String bootstrap, String topic, String node, double rate, long shiftNs)
      throws IOException, InterruptedException {
    return run(capture, bootstrap, topic, node, rate, shiftNs, 1);
  }

  /** As below, to {@code bootstrap} with the security settings of the environment ({@link KafkaConnection#of(String)}). */
  public static Result run(Path capture, String bootstrap, String topic, String node, double rate, long shiftNs,
      int packetsPerRecord) throws IOException, InterruptedException {
    return run(capture, KafkaConnection.of(bootstrap), topic, node, rate, shiftNs, packetsPerRecord);
  }

  /**
   * As above; {@code packetsPerRecord} above 1 sends {@code CapturedPacketBatch}es: the packets of each partition (the
   * one their key gives) gathered in capture order until there are that many, the rest at the end;
   * {@link #LOADER_BATCHES} gathers them as the eBPF loader does.
   */
  public static Result run(Path capture, KafkaConnection kafka, String topic, String node, double rate, long shiftNs,
      int packetsPerRecord) throws IOException, InterruptedException {
    if (packetsPerRecord < 0) {
      throw new IllegalArgumentException("packets per record must be at least 1 (or LOADER_BATCHES), got " + packetsPerRecord);
    }
    boolean loader = packetsPerRecord == LOADER_BATCHES;
    long start = System.nanoTime();
    long packets = 0;
    long bytes = 0;
    String iface = capture.getFileName().toString();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(kafka));
        CaptureReader reader = CaptureReader.open(capture)) {
      Callback done = (m, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
      };
      int partitions = packetsPerRecord != 1 ? producer.partitionsFor(topic).size() : 0;
      List<List<CapturedPacket>> pending = new ArrayList<>();
      int[] pendingBytes = new int[partitions];
      for (int i = 0; i < partitions; i++) {
        pending.add(new ArrayList<>());
      }
      long firstNs = Long.MIN_VALUE;
      long drainNs = Long.MIN_VALUE;
      for (CaptureFrame f : reader) {
        if (firstNs == Long.MIN_VALUE) {
          firstNs = f.timestampNs();
          drainNs = firstNs;
        }
        // Before the pacing's wait: at real time a batch is sent as the gap to the next frame begins, not held across it.
        if (loader && f.timestampNs() - drainNs >= PacketBatches.GATHER_MS * 1_000_000L) {
          for (int partition = 0; partition < partitions; partition++) {
            sendBatch(producer, topic, partition, pending.get(partition), done);
            pendingBytes[partition] = 0;
          }
          drainNs = f.timestampNs();
        }
        if (rate > 0) {
          long dueNs = start + (long) ((f.timestampNs() - firstNs) / rate);
          long waitNs = dueNs - System.nanoTime();
          if (waitNs > 0) {
            Thread.sleep(waitNs / 1_000_000L, (int) (waitNs % 1_000_000L));
          }
        }
        CapturedPacket packet = CapturedPacket.newBuilder()
            .setCapturedNs(f.timestampNs() + shiftNs)
            .setNode(node)
            .setInterface(iface)
            .setDirection(Direction.DIRECTION_UNKNOWN)
            .setSnapLen(f.capturedLength())
            .setOrigLen(f.originalLength())
            .setLinkTypeValue(f.linkType())
            .setData(ByteString.copyFrom(f.data(), 0, f.capturedLength()))
            .build();
        byte[] key = key(f);
        if (partitions == 0 || key == null) {
          producer.send(new ProducerRecord<>(topic, key, packet.toByteArray()), done);
        } else {
          int partition = PacketBatches.partition(key, partitions);
          List<CapturedPacket> batch = pending.get(partition);
          if (loader && sendBefore(pendingBytes, partition, batch.size(), packet.getSerializedSize())) {
            sendBatch(producer, topic, partition, batch, done);
          }
          batch.add(packet);
          if (batch.size() == packetsPerRecord) {
            sendBatch(producer, topic, partition, batch, done);
          }
        }
        packets++;
        bytes += f.capturedLength();
      }
      for (int partition = 0; partition < partitions; partition++) {
        sendBatch(producer, topic, partition, pending.get(partition), done);
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IOException("Kafka refused a packet: " + failure.get().getMessage(), failure.get());
    }
    return new Result(packets, bytes, System.nanoTime() - start);
  }

  /**
   * The loader's batch rule ({@link PacketBatches#sendBefore}, as PacketBatcher.add applies it) for a packet of
   * {@code length} bytes joining partition's batch of {@code packets}: whether that batch is sent first. Counts the
   * packet into {@code batchBytes} (starting a new count when the batch is sent).
   */
  public static boolean sendBefore(int[] batchBytes, int partition, int packets, int length) {
    boolean send = PacketBatches.sendBefore(batchBytes[partition], packets, length);
    batchBytes[partition] = (send ? 0 : batchBytes[partition]) + PacketBatches.entryBytes(length);
    return send;
  }

  private static void sendBatch(KafkaProducer<byte[], byte[]> producer, String topic, int partition,
      List<CapturedPacket> batch, Callback done) {
    if (batch.isEmpty()) {
      return;
    }
    byte[] value = CapturedPacketBatch.newBuilder().addAllPackets(batch).build().toByteArray();
    batch.clear();
    producer.send(new ProducerRecord<>(topic, partition, (byte[]) null, value,
        List.of(new RecordHeader(PacketBatches.MESSAGE_HEADER, PacketBatches.BATCH_BYTES))), done);
  }

  /** The unordered address/port pair ({@link ConversationKey}); null (any partition) for what is not IP. */
  public static byte[] key(CaptureFrame f) {
    byte[] key = new byte[ConversationKey.LENGTH];
    return ConversationKey.ofFrame(f.linkType(), f.data(), 0, f.capturedLength(), key) ? key : null;
  }

  private static Map<String, Object> producerConfig(KafkaConnection kafka) {
    Map<String, Object> p = kafka.clientMap();
    p.putAll(Map.of(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024));
    return p;
  }
}
