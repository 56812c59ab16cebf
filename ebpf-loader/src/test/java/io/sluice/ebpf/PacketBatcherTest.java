package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Packets gathered per partition come out as CapturedPacketBatch bytes protobuf reads back, in the order added. */
class PacketBatcherTest {
  record Sent(int partition, CapturedPacketBatch batch, int packets, int bytes) {}

  static CapturedPacket packet(int partition, int seq, int size) {
    return CapturedPacket.newBuilder().setCapturedNs(1_000_000L * seq).setNode("n").setIfIndex(partition)
        .setData(ByteString.copyFrom(new byte[size])).setSnapLen(size).setOrigLen(seq).build();
  }

  @ParameterizedTest(name = "reuse {0}")
  @ValueSource(booleans = {false, true})
  void batchesRoundTripInOrderPerPartitionAndSplitBeforeTheLimit(boolean reuse) throws Exception {
    List<Sent> sent = new ArrayList<>();
    Set<byte[]> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
    PacketBatcher b = new PacketBatcher(4, (p, value, n) -> {
      arrays.add(value);
      try {
        // parsed before returning: with reuse the array is rewritten afterwards
        sent.add(new Sent(p, CapturedPacketBatch.parseFrom(value), n, value.length));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, reuse);
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
      if (reuse && s.bytes >= PacketBatcher.MIN_POOLED) {
        assertEquals(0, s.bytes % PacketBatcher.SIZE_STEP, "a reused array's length: " + s.bytes);
        assertTrue(s.batch.getPadding().size() < PacketBatcher.SIZE_STEP + 2200, "padding " + s.batch.getPadding().size());
        assertTrue(s.batch.getPadding().toByteArray().length == 0 || s.batch.getPadding().byteAt(0) == 0);
      } else {
        assertEquals(0, s.batch.getPadding().size(), "exact arrays need no padding: " + s.bytes + " bytes");
      }
      got.get(s.partition).addAll(s.batch.getPacketsList());
    }
    assertEquals(added, got, "every packet once, in its partition, in the order added");
    assertTrue(sent.size() > 15, "large drains are split: " + sent.size() + " batches");
    if (reuse) {
      long small = sent.stream().filter(s -> s.bytes < PacketBatcher.MIN_POOLED).count();
      assertTrue(arrays.size() <= small + 3 + PacketBatcher.MAX_BYTES / PacketBatcher.SIZE_STEP, arrays.size() + " arrays for " + sent.size() + " batches");
    } else {
      assertEquals(sent.size(), arrays.size(), "a fresh array per batch");
    }
  }

  /** Every gap closes with one padding field protobuf reads, except the two no field fits (1 and 130 bytes). */
  @Test
  void paddingFillsEveryGapAFieldCanFill() throws Exception {
    byte[] packets = CapturedPacketBatch.newBuilder().addPackets(packet(0, 1, 10)).build().toByteArray();
    for (int room = 0; room < 3 * PacketBatcher.SIZE_STEP; room++) {
      byte[] b = java.util.Arrays.copyOf(packets, packets.length + room);
      java.util.Arrays.fill(b, packets.length, b.length, (byte) 0x55);
      boolean padded = PacketBatcher.pad(b, packets.length, b.length);
      assertEquals(room != 1 && room != 130, padded, "room " + room);
      if (padded) {
        CapturedPacketBatch batch = CapturedPacketBatch.parseFrom(b);
        assertEquals(1, batch.getPacketsCount(), "room " + room);
        assertEquals(room == 0 ? 0 : room - (room > 129 ? 3 : 2), batch.getPadding().size(), "room " + room);
        assertTrue(batch.getPadding().toByteArray().length == 0 || batch.getPadding().toByteArray()[batch.getPadding().size() - 1] == 0, "zeros");
      }
    }
  }

  /**
   * `sluice replay` copies the loader's batches (PacketReplay.sendBefore, PacketBatches): fed the same packets, it
   * sends a batch where PacketBatcher does. Sizes up to 20,000 bytes give varints of 1 to 3 bytes, and the many batches
   * end at every distance from the limit, including the few bytes where counting the varint otherwise would differ.
   */
  @Test
  void replaySplitsBatchesWhereTheLoaderDoes() {
    List<Integer> loader = new ArrayList<>();
    PacketBatcher b = new PacketBatcher(1, (p, value, n) -> loader.add(n), false);
    List<Integer> replay = new ArrayList<>();
    int[] replayBytes = new int[1];
    int inReplayBatch = 0;
    Random rnd = new Random(11);
    for (int i = 0; i < 100_000; i++) {
      int size = rnd.nextInt(10) == 0 ? rnd.nextInt(16_000, 20_000) : rnd.nextInt(1, 300);
      b.add(0, new byte[size]);
      if (io.sluice.jobs.l7.PacketReplay.sendBefore(replayBytes, 0, inReplayBatch, size)) {
        replay.add(inReplayBatch);
        inReplayBatch = 0;
      }
      inReplayBatch++;
    }
    b.flush();
    replay.add(inReplayBatch);
    assertTrue(loader.size() > 1_000, loader.size() + " batches");
    assertEquals(loader, replay);
  }
}
