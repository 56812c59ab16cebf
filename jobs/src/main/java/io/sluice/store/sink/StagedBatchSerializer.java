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
    return 2;
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
    }
    return bytes.toByteArray();
  }

  @Override
  public StagedBatch deserialize(int version, byte[] serialized) throws IOException {
    if (version != 1 && version != 2) {
      throw new IOException("unknown StagedBatch version " + version);
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
      // Version 1 came from single-server sinks, before shards: shard 0.
      return new StagedBatch(in.readUTF(), in.readLong(), in.readLong(), in.readInt(), version == 1 ? 0 : in.readInt());
    }
  }
}
