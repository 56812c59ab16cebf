package io.sluice.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class PacketBatchesTest {
  @Test
  void partitionIsTheDefaultPartitionersForTheKey() {
    Random rnd = new Random(1);
    for (int i = 0; i < 10_000; i++) {
      byte[] key = new byte[36];
      rnd.nextBytes(key);
      int partitions = 1 + rnd.nextInt(64);
      assertEquals(BuiltInPartitioner.partitionForKey(key, partitions), PacketBatches.partition(key, partitions));
    }
  }

  @Test
  void onlyTheHeaderMarksABatch() {
    assertTrue(PacketBatches.isBatch(new RecordHeaders().add(new RecordHeader(PacketBatches.MESSAGE_HEADER, PacketBatches.BATCH_BYTES))));
    assertFalse(PacketBatches.isBatch(new RecordHeaders()));
    assertFalse(PacketBatches.isBatch(null));
    assertFalse(PacketBatches.isBatch(new RecordHeaders().add(new RecordHeader(PacketBatches.MESSAGE_HEADER, "CapturedPacket".getBytes()))));
  }

  @Test
  void aPacketTakesItsTagItsVarintLengthAndItself() {
    assertEquals(2, PacketBatches.entryBytes(0));
    assertEquals(1 + 1 + 127, PacketBatches.entryBytes(127));
    assertEquals(1 + 2 + 128, PacketBatches.entryBytes(128));
    assertEquals(1 + 2 + 16_383, PacketBatches.entryBytes(16_383));
    assertEquals(1 + 3 + 16_384, PacketBatches.entryBytes(16_384));
  }

  @Test
  void aBatchIsSentBeforeAPacketWouldTakeItPastTheLimitCountingTheLargestVarint() {
    int room = PacketBatches.MAX_BYTES - 1000;
    assertFalse(PacketBatches.sendBefore(room, 3, 1000 - 6));
    assertTrue(PacketBatches.sendBefore(room, 3, 1000 - 5));
    assertFalse(PacketBatches.sendBefore(0, 0, PacketBatches.MAX_BYTES * 2), "a batch's first packet always joins it");
  }
}
