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
}
