package io.sluice.jobs.l7;

import io.sluice.jobs.ByteFormatSerializer;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Every packet crosses the shuffle to the join and waits in its queue state, so it is written compactly: the key as
 * its Latin-1 bytes (a conversation key is a node name and raw address bytes, {@link PacketKeys}; a node name with
 * other characters falls back to Flink's string encoding), then capture time, link type and the frame. A Flink POJO
 * wrote each field with a null marker and the key's characters one varint each.
 *
 * <p>Everything before the frame is built in one pass over the key in an array of the instance's and written in one
 * call: on the network's buffer that is one copy, and in a checkpoint (a {@code DataOutputStream} over the checkpoint
 * stream, where each {@code writeInt} was four calls down to it) one call instead of a dozen.
 *
 * <p>State written before this serializer (the queue as POJOs) is read with the POJO serializer it was written with
 * and migrated ({@link Snapshot#resolveSchemaCompatibility}).
 *
 * <p>Reading keeps the keys it read lately ({@link KeyCache}): the packets of a conversation get one String, hashed
 * once, instead of two arrays and a String per packet.
 *
 * <p>An instance has buffers and a cache, so it is not thread-safe: as Flink's contract for such serializers asks,
 * {@link #duplicate} gives a new one (Flink duplicates a serializer for another thread, e.g. an asynchronous
 * snapshot), and so do {@link KeyedPacketTypeInfo} (every state and edge that asks for one: the tasks of a job in
 * one TaskManager share its classes) and the snapshot's restore.
 */
public final class KeyedPacketSerializer extends ByteFormatSerializer<KeyedPacket> {
  /** The key's header, its Latin-1 bytes, capture time, link type and the frame's length of the packet being written. */
  private transient byte[] head;
  private transient KeyCache keys;
  /** The key's bytes being read. */
  private transient byte[] scratch;

  @Override
  public KeyedPacketSerializer duplicate() {
    return new KeyedPacketSerializer();
  }

  @Override
  public KeyedPacket createInstance() {
    return new KeyedPacket();
  }

  @Override
  public KeyedPacket copy(KeyedPacket from) {
    return new KeyedPacket(from.key, from.capturedNs, from.linkType,
        from.data == null ? null : Arrays.copyOfRange(from.data, from.offset, from.offset + from.frameLength()));
  }

  @Override
  public void serialize(KeyedPacket p, DataOutputView out) throws IOException {
    int length = latin1Head(p);
    if (length < 0) {
      out.writeInt(1);
      StringValue.writeString(p.key, out);
      out.writeLong(p.capturedNs);
      out.writeInt(p.linkType);
      out.writeInt(p.frameLength());
    } else {
      out.write(head, 0, length);
    }
    out.write(p.data, p.offset, p.frameLength());
  }

  /** Fills {@link #head} for {@code p} and returns its length; -1 when the key is not Latin-1. */
  private int latin1Head(KeyedPacket p) {
    String key = p.key;
    int n = key.length();
    byte[] h = head;
    if (h == null || h.length < n + 20) {
      h = head = new byte[Math.max(64, n + 20)];
    }
    int at = putInt(h, 0, n << 1);
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c > 0xFF) {
        return -1;
      }
      h[at++] = (byte) c;
    }
    at = putInt(h, at, (int) (p.capturedNs >>> 32));
    at = putInt(h, at, (int) p.capturedNs);
    at = putInt(h, at, p.linkType);
    return putInt(h, at, p.frameLength());
  }

  /** Big-endian, as {@code DataOutput.writeInt}. */
  private static int putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
    return at + 4;
  }

  @Override
  public KeyedPacket deserialize(DataInputView in) throws IOException {
    String key = readKey(in);
    long capturedNs = in.readLong();
    int linkType = in.readInt();
    byte[] data = new byte[in.readInt()];
    in.readFully(data);
    return new KeyedPacket(key, capturedNs, linkType, data);
  }

  /** The key's header: length × 2, +1 when the key is not Latin-1 (then Flink's string encoding follows, not the bytes). */
  private String readKey(DataInputView in) throws IOException {
    int header = in.readInt();
    if ((header & 1) != 0) {
      return StringValue.readString(in);
    }
    int n = header >>> 1;
    if (keys == null) {
      keys = new KeyCache();
      scratch = new byte[64];
    }
    if (scratch.length < n) {
      scratch = new byte[Math.max(n, scratch.length * 2)];
    }
    in.readFully(scratch, 0, n);
    return keys.of(scratch, n);
  }

  @Override
  public TypeSerializerSnapshot<KeyedPacket> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer's snapshot in checkpoints; it has no configuration. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<KeyedPacket> {
    public Snapshot() {
      super(KeyedPacketSerializer::new);
    }

    /** The queue of a checkpoint taken when KeyedPacket was a POJO is read as one and written anew. */
    @Override
    public TypeSerializerSchemaCompatibility<KeyedPacket> resolveSchemaCompatibility(
        TypeSerializerSnapshot<KeyedPacket> old) {
      if (old instanceof PojoSerializerSnapshot<KeyedPacket>) {
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
      }
      return super.resolveSchemaCompatibility(old);
    }
  }
}
