package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.sluice.ingest.PacketBatches;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import io.sluice.wire.LinkType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** A CapturedPacketBatch record gives the frames of its packets, in order, as the same packets one per record. */
class PacketRecordsTest {
  final SimpleCounter malformed = new SimpleCounter();
  final PacketRecords records = new PacketRecords();

  PacketRecordsTest() {
    records.open(OpenedOutsideFlink.context(new UnregisteredMetricsGroup() {
      @Override
      public Counter counter(String name) {
        return malformed;
      }
    }));
  }

  static CapturedPacket packet(int i, int dataLength) {
    return CapturedPacket.newBuilder().setCapturedNs(1_700_000_000_000_000_000L + i).setNode("node-" + i % 2)
        .setLinkType(LinkType.ETHERNET).setData(ByteString.copyFrom(new byte[] {(byte) i, 2, 3}, 0, dataLength)).build();
  }

  List<CapturedFrame> read(byte[] value, boolean batch) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    if (batch) {
      headers.add(new RecordHeader(PacketBatches.MESSAGE_HEADER, PacketBatches.BATCH_BYTES));
    }
    ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("t", 0, 0, 0, TimestampType.CREATE_TIME, 0, value.length,
        null, value, headers, Optional.empty());
    List<CapturedFrame> out = new ArrayList<>();
    records.deserialize(r, new Collector<>() {
      @Override
      public void collect(CapturedFrame f) {
        out.add(f);
      }

      @Override
      public void close() {}
    });
    return out;
  }

  @Test
  void aBatchGivesTheFramesOfItsPacketsInOrder() throws Exception {
    List<CapturedPacket> packets = new ArrayList<>();
    List<CapturedFrame> single = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      packets.add(packet(i, 3));
      single.addAll(read(packets.get(i).toByteArray(), false));
    }
    List<CapturedFrame> batched = read(CapturedPacketBatch.newBuilder().addAllPackets(packets).build().toByteArray(), true);
    assertEquals(20, single.size());
    assertEquals(single.size(), batched.size());
    for (int i = 0; i < single.size(); i++) {
      assertEquals(single.get(i).capturedNs, batched.get(i).capturedNs);
      assertEquals(single.get(i).node, batched.get(i).node);
      assertEquals(packets.get(i).getNode(), batched.get(i).node, "the node of each packet, not the previous one's");
      assertEquals(single.get(i).linkType, batched.get(i).linkType);
      assertArrayEquals(packets.get(i).getData().toByteArray(), frame(single.get(i)));
      assertArrayEquals(packets.get(i).getData().toByteArray(), frame(batched.get(i)), "the frame within the record");
    }
    assertEquals(0, malformed.getCount());
  }

  /** The frame a {@link CapturedFrame} names within its array. */
  static byte[] frame(CapturedFrame f) {
    return java.util.Arrays.copyOfRange(f.data, f.offset, f.offset + f.length);
  }

  @Test
  void aFrameLongerThanItsRecordIsNotRead() throws Exception {
    byte[] whole = packet(1, 3).toByteArray();
    byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 1); // the data field's length says one byte more
    assertEquals(0, read(cut, false).size());
    assertEquals(1, malformed.getCount());
  }

  @Test
  void aPacketWithoutDataIsCountedAndTheRestOfItsBatchStillRead() throws Exception {
    byte[] value = CapturedPacketBatch.newBuilder().addPackets(packet(1, 3)).addPackets(packet(2, 0))
        .addPackets(packet(3, 3)).build().toByteArray();
    assertEquals(2, read(value, true).size());
    assertEquals(1, malformed.getCount());
    assertEquals(0, read(new byte[] {(byte) 0xff, (byte) 0xff}, true).size(), "not protobuf");
    assertEquals(2, malformed.getCount());
  }
}
