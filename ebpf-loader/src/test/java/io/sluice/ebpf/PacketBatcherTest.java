package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Packets gathered per partition come out as CapturedPacketBatch bytes protobuf reads back, in the order added. */
class PacketBatcherTest {
  record Sent(int partition, CapturedPacketBatch batch, int packets, int bytes) {}

  static CapturedPacket packet(int partition, int seq, int size) {
    return CapturedPacket.newBuilder().setCapturedNs(1_000_000L * seq).setNode("n").setIfIndex(partition)
        .setData(ByteString.copyFrom(new byte[size])).setSnapLen(size).setOrigLen(seq).build();
  }

  @Test
  void batchesRoundTripInOrderPerPartitionAndSplitBeforeTheLimit() throws Exception {
    List<Sent> sent = new ArrayList<>();
    PacketBatcher b = new PacketBatcher(4, (p, value, n) -> {
      try {
        sent.add(new Sent(p, CapturedPacketBatch.parseFrom(value), n, value.length));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    Random rnd = new Random(7);
    List<List<CapturedPacket>> added = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      added.add(new ArrayList<>());
    }
    for (int drain = 0; drain < 5; drain++) {
      for (int i = 0; i < 400; i++) {
        int p = rnd.nextInt(3);  // partition 3 gets nothing: no empty batch for it
        CapturedPacket packet = packet(p, drain * 1000 + i, rnd.nextInt(0, 2000));
        added.get(p).add(packet);
        b.add(p, packet.toByteArray());
      }
      b.flush();
    }
    List<List<CapturedPacket>> got = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      got.add(new ArrayList<>());
    }
    for (Sent s : sent) {
      assertEquals(s.packets, s.batch.getPacketsCount(), "the count handed on is the batch's");
      assertTrue(s.bytes <= PacketBatcher.MAX_BYTES, s.bytes + " bytes");
      assertTrue(s.packets > 0);
      got.get(s.partition).addAll(s.batch.getPacketsList());
    }
    assertEquals(added, got, "every packet once, in its partition, in the order added");
    assertTrue(sent.size() > 15, "large drains are split: " + sent.size() + " batches");
  }
}
