package io.sluice.store.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StagedBatchTest {
  @Test
  void chunksCoverEveryRowOnce() {
    StagedBatch batch = new StagedBatch("t", 5L << 20, 250_001, 100_000);
    assertEquals(3, batch.chunks());
    assertEquals(100_000, batch.chunkRows(0));
    assertEquals(100_000, batch.chunkRows(1));
    assertEquals(50_001, batch.chunkRows(2));
    assertEquals((5L << 20) | 2, batch.batchId(2));
    assertEquals(5, batch.stagingPartition());
  }

  @Test
  void serializerRoundTrips() throws Exception {
    StagedBatch batch = new StagedBatch("flows", 77L << 20, 12345, 1000);
    StagedBatchSerializer serializer = new StagedBatchSerializer();
    assertEquals(batch, serializer.deserialize(serializer.getVersion(), serializer.serialize(batch)));
  }

  @Test
  void theShardTravelsWithTheBatchAndVersionOneBatchesAreShardZero() throws Exception {
    StagedBatchSerializer serializer = new StagedBatchSerializer();
    StagedBatch onShard = new StagedBatch("flows", 9L << 20, 10, 1000, 3);
    assertEquals(onShard, serializer.deserialize(serializer.getVersion(), serializer.serialize(onShard)));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream v1 = new java.io.DataOutputStream(bytes)) { // as version 1 wrote it
      v1.writeUTF("flows");
      v1.writeLong(9L << 20);
      v1.writeLong(10);
      v1.writeInt(1000);
    }
    assertEquals(new StagedBatch("flows", 9L << 20, 10, 1000, 0), serializer.deserialize(1, bytes.toByteArray()));
  }

  @Test
  void chunksOfTheirOwnSizesRoundTrip() throws Exception {
    StagedBatchSerializer serializer = new StagedBatchSerializer();
    StagedBatch split = new StagedBatch("flows", 9L << 20, 130, 1000, 1, new long[] {50, 50, 30});
    StagedBatch back = serializer.deserialize(serializer.getVersion(), serializer.serialize(split));
    assertEquals(split, back);
    assertEquals(3, back.chunks());
    assertEquals(30, back.chunkRows(2));
  }

  @Test
  void theStagedColumnsTravelAndVersionThreeBatchesStagedEveryColumn() throws Exception {
    StagedBatchSerializer serializer = new StagedBatchSerializer();
    StagedBatch fewer = new StagedBatch("flows", 9L << 20, 130, 1000, 1, new long[] {130}, 0b1011L);
    StagedBatch back = serializer.deserialize(serializer.getVersion(), serializer.serialize(fewer));
    assertEquals(0b1011L, back.columns());
    assertEquals(fewer, back);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream v3 = new java.io.DataOutputStream(bytes)) { // as version 3 wrote it
      v3.writeUTF("flows");
      v3.writeLong(9L << 20);
      v3.writeLong(130);
      v3.writeInt(1000);
      v3.writeInt(1);
      v3.writeInt(1);
      v3.writeLong(130);
    }
    assertEquals(RowEncoder.ALL_COLUMNS, serializer.deserialize(3, bytes.toByteArray()).columns());
  }
}
