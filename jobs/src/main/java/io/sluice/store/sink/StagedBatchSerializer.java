package io.sluice.store.sink;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Checkpoints the committables, so a restart commits what the last checkpoint staged. */
final class StagedBatchSerializer implements SimpleVersionedSerializer<StagedBatch> {
  @Override
  public int getVersion() {
    return 4;
  }

  @Override
  public byte[] serialize(StagedBatch batch) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(batch.table());
      out.writeLong(batch.epoch());
      out.writeLong(batch.rows());
      out.writeInt(batch.chunkRows());
      out.writeInt(batch.shard());
      long[] sizes = batch.chunkSizes();
      out.writeInt(sizes == null ? -1 : sizes.length);
      if (sizes != null) {
        for (long size : sizes) {
          out.writeLong(size);
        }
      }
      out.writeLong(batch.columns());
    }
    return bytes.toByteArray();
  }

  @Override
  public StagedBatch deserialize(int version, byte[] serialized) throws IOException {
    if (version < 1 || version > 4) {
      throw new IOException("unknown StagedBatch version " + version);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
      // Version 1 came from single-server sinks, before shards: shard 0. Version 2 had uniform chunks. Before
      // version 4 every column was staged.
      String table = in.readUTF();
      long epoch = in.readLong();
      long rows = in.readLong();
      int chunkRows = in.readInt();
      int shard = version == 1 ? 0 : in.readInt();
      long[] sizes = null;
      int chunks = version >= 3 ? in.readInt() : -1;
      if (chunks > 1 << StagedBatch.CHUNK_BITS) {
        throw new IOException("bad StagedBatch chunk count " + chunks);
      }
      if (chunks >= 0) {
        sizes = new long[chunks];
        for (int i = 0; i < chunks; i++) {
          sizes[i] = in.readLong();
        }
      }
      long columns = version >= 4 ? in.readLong() : RowEncoder.ALL_COLUMNS;
      return new StagedBatch(table, epoch, rows, chunkRows, shard, sizes, columns);
    }
  }
}
