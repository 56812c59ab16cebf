package io.sluice.ebpf;

import io.sluice.ingest.ConversationKey;
import io.sluice.ingest.PacketBatches;
import io.sluice.ingest.Topics;
import io.sluice.wire.SocketEvent;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Turns the ring buffer's records into Kafka records: packets (batched per partition by {@link PacketBatcher}, or
 * one per record) onto sluice.packets.raw keyed by conversation, socket events with their cgroup, container and pod
 * onto sluice.sockets.raw. Runs on the drain thread alone; counts what Kafka acknowledged or refused.
 */
final class RecordForwarder implements AutoCloseable {
  private static final Iterable<Header> BATCH_HEADERS =
      List.of(new RecordHeader(PacketBatches.MESSAGE_HEADER, PacketBatches.BATCH_BYTES));

  private final LoaderConfig config;
  private final Producer<byte[], byte[]> producer;
  private final LoaderMetrics metrics;
  private final Cgroups cgroups = new Cgroups(Cgroups.findRoot());
  private final long clockOffset = Instant.now().toEpochMilli() * 1_000_000L - System.nanoTime();
  private final String packetsTopic;
  private final String socketsTopic;
  private final Callback packetsSent;
  private final Callback socketsSent;
  private final PacketEncoder packetEncoder;
  /** The key of the packet at hand. */
  private final byte[] packetKey = new byte[Records.KEY_LENGTH];
  private PacketBatcher batcher;
  /** Whether this drain has looked up the partition count yet (reset when a drain ends). */
  private boolean batchDrainStarted;

  /** @param ifname the name of an attached interface by index, or null */
  RecordForwarder(LoaderConfig config, Producer<byte[], byte[]> producer, LoaderMetrics metrics, IntFunction<String> ifname) {
    this.config = config;
    this.producer = producer;
    this.metrics = metrics;
    this.packetsTopic = config.topicPrefix() + Topics.PACKETS_RAW;
    this.socketsTopic = config.topicPrefix() + Topics.SOCKETS_RAW;
    this.packetsSent = sentTo(packetsTopic);
    this.socketsSent = sentTo(socketsTopic);
    this.packetEncoder = new PacketEncoder(config.node(), clockOffset, ifname, cgroups);
  }

  /** One ring-buffer record; records of an unknown type or too short are skipped. */
  void record(byte[] rec, int size) {
    if (rec[0] == Records.PACKET && size >= Records.PACKET_HEADER) {
      metrics.polledPacket();
      boolean keyed = Records.frameKey(rec, Records.PACKET_HEADER, PacketEncoder.capturedLength(rec, size), packetKey);
      PacketBatcher b = batcher();
      if (b == null || !keyed) {
        send(packetsTopic, keyed ? packetKey.clone() : null, packetEncoder.encode(rec, size), packetsSent);
      } else {
        b.add(PacketBatches.partition(packetKey, b.partitions()), packetEncoder.prepare(rec, size), packetEncoder);
      }
    } else if (rec[0] == Records.SOCKET && size >= Records.SOCKET_SIZE) {
      metrics.polledSocket();
      SocketEvent.Builder e = Records.socket(rec, clockOffset).setNode(config.node());
      String path = cgroups.path(e.getCgroupId());
      if (path == null && e.getPidTrusted()) {
        path = Cgroups.pathOfPid((int) e.getPid());
      }
      e.setContainer(Cgroups.containerIdOf(path));
      String[] pod = cgroups.pod(e.getCgroupId(), e.getPidTrusted() ? (int) e.getPid() : 0);
      if (pod != null) {
        e.setPod(pod[0]).setPodNamespace(pod[1]);
      }
      byte[] key = ConversationKey.of(e.getSrcAddr().toByteArray(), e.getSrcPort(), e.getDstAddr().toByteArray(), e.getDstPort());
      send(socketsTopic, key, e.build().toByteArray(), socketsSent);
    }
  }

  /** A drain ended: the batches it filled go now. */
  void drained() {
    batchDrainStarted = false;
    if (batcher != null) {
      batcher.flush();
    }
  }

  /**
   * The batcher for this drain, made (or remade when the topic's partition count changed) at a drain's first
   * packet; null when packets go one per record (configured so, or the partition count is not known).
   */
  private PacketBatcher batcher() {
    if (!config.packetBatches()) {
      return null;
    }
    if (batchDrainStarted) {
      return batcher;
    }
    batchDrainStarted = true;
    int partitions;
    try {
      partitions = producer.partitionsFor(packetsTopic).size();
    } catch (RuntimeException e) {
      partitions = 0;
    }
    if (batcher == null || batcher.partitions() != partitions) {
      // KafkaProducer.send copies the value into its batch before it returns, so the batcher may reuse its arrays; a
      // producer that keeps the array (MockProducer in tests) gets a fresh one per batch.
      batcher = partitions == 0 ? null : new PacketBatcher(partitions, this::sendBatch, producer instanceof KafkaProducer);
    }
    return batcher;
  }

  private void sendBatch(int partition, byte[] value, int packets) {
    Callback done = (md, ex) -> {
      if (ex == null) {
        metrics.sent(packetsTopic, packets);
      } else {
        metrics.kafkaError(ex.getClass().getSimpleName(), packets);
      }
    };
    try {
      producer.send(new ProducerRecord<>(packetsTopic, partition, (byte[]) null, value, BATCH_HEADERS), done);
    } catch (RuntimeException ex) {
      metrics.kafkaError(ex.getClass().getSimpleName(), packets);
    }
  }

  /** One callback per topic, made once: a send is per packet. */
  private Callback sentTo(String topic) {
    return (md, ex) -> {
      if (ex == null) {
        metrics.sent(topic, 1);
      } else {
        metrics.kafkaError(ex.getClass().getSimpleName(), 1);
      }
    };
  }

  private void send(String topic, byte[] key, byte[] value, Callback done) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value), done);
    } catch (RuntimeException ex) {
      metrics.kafkaError(ex.getClass().getSimpleName(), 1);
    }
  }

  /** Waits for what the producer holds to be acknowledged, then closes it. */
  @Override
  public void close() {
    producer.flush();
    producer.close();
  }
}
