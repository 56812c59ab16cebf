package io.sluice.ebpf;

import io.sluice.ingest.PacketBatches;
import io.sluice.ingest.Topics;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** The packets in what the loader produced, whether one per record or batched. */
final class SentPackets {
  static final int PARTITIONS = 4;

  private SentPackets() {}

  /** A producer that keeps what it is sent and knows sluice.packets.raw with 4 partitions, so the loader batches. */
  static MockProducer<byte[], byte[]> batchingProducer() {
    Node node = new Node(0, "localhost", 9092);
    List<PartitionInfo> partitions = IntStream.range(0, PARTITIONS)
        .mapToObj(p -> new PartitionInfo(Topics.PACKETS_RAW, p, node, new Node[] {node}, new Node[] {node})).toList();
    Cluster cluster = new Cluster("test", List.of(node), partitions, Set.of(), Set.of());
    return new MockProducer<>(cluster, true, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static List<CapturedPacket> of(ProducerRecord<byte[], byte[]> r) throws Exception {
    return of(r.value(), r.headers());
  }

  static List<CapturedPacket> of(byte[] value, Headers headers) throws Exception {
    if (PacketBatches.isBatch(headers)) {
      return CapturedPacketBatch.parseFrom(value).getPacketsList();
    }
    return new ArrayList<>(List.of(CapturedPacket.parseFrom(value)));
  }
}
