package io.sluice.jobs.l7;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Every packet crosses the shuffle to the join and waits in its queue state, so it is written compactly: the key as
 * its Latin-1 bytes (a conversation key is a node name and raw address bytes, {@link PacketKeys}; a node name with
 * other characters falls back to Flink's string encoding), then capture time, link type and the frame. A Flink POJO
 * wrote each field with a null marker and the key's characters one varint each.
 *
 * <p>State written before this serializer (the queue as POJOs) is read with the POJO serializer it was written with
 * and migrated ({@link Snapshot#resolveSchemaCompatibility}).
 *
 * <p>Reading keeps the keys it read lately ({@link KeyCache}): the packets of a conversation get one String, hashed
 * once, instead of two arrays and a String per packet. The cache belongs to the first thread that reads a key with
 * this instance (the task's, on the shuffle); other threads read as before, so an instance shared by threads stays
 * correct.
 */
public final class KeyedPacketSerializer extends TypeSerializerSingleton<KeyedPacket> {
  public static final KeyedPacketSerializer INSTANCE = new KeyedPacketSerializer();

  private static final VarHandle OWNER;

  static {
    try {
      OWNER = MethodHandles.lookup().findVarHandle(KeyedPacketSerializer.class, "owner", Thread.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The thread whose keys {@link #keys} holds; only it uses {@link #keys} and {@link #scratch}. */
  @SuppressWarnings("unused") // through OWNER
  private transient volatile Thread owner;
  private transient KeyCache keys;
  private transient byte[] scratch;

  @Override
  public KeyedPacketSerializer duplicate() {
    return new KeyedPacketSerializer();
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public KeyedPacket createInstance() {
    return new KeyedPacket();
  }

  @Override
  public KeyedPacket copy(KeyedPacket from) {
    return new KeyedPacket(from.key, from.capturedNs, from.linkType, from.data == null ? null : from.data.clone());
  }

  @Override
  public KeyedPacket copy(KeyedPacket from, KeyedPacket reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(KeyedPacket p, DataOutputView out) throws IOException {
    if (out instanceof DataOutputSerializer buffer && isLatin1(p.key)) {
      // The network's buffer (the shuffle): each write is a store into its array, so no array of its own.
      String key = p.key;
      int n = key.length();
      buffer.writeInt(n << 1);
      for (int i = 0; i < n; i++) {
        buffer.write(key.charAt(i));
      }
      buffer.writeLong(p.capturedNs);
      buffer.writeInt(p.linkType);
      buffer.writeInt(p.data.length);
      buffer.write(p.data);
      return;
    }
    byte[] head = latin1Head(p);
    if (head == null) {
      out.writeInt(1);
      StringValue.writeString(p.key, out);
      out.writeLong(p.capturedNs);
      out.writeInt(p.linkType);
      out.writeInt(p.data.length);
    } else {
      out.write(head);
    }
    out.write(p.data);
  }

  /**
   * Everything before the frame, built in one array and written in one call: in a checkpoint the view is a
   * {@code DataOutputStream} over the checkpoint stream, where each {@code writeInt} was four calls down to it (the
   * checkpoint thread's largest cost in the profile). Null when the key is not Latin-1.
   */
  private static byte[] latin1Head(KeyedPacket p) {
    String key = p.key;
    int n = key.length();
    byte[] head = new byte[4 + n + 16];
    int at = putInt(head, 0, n << 1);
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c > 0xFF) {
        return null;
      }
      head[at++] = (byte) c;
    }
    putInt(head, at, (int) (p.capturedNs >>> 32));
    putInt(head, at + 4, (int) p.capturedNs);
    putInt(head, at + 8, p.linkType);
    putInt(head, at + 12, p.data.length);
    return head;
  }

  private static boolean isLatin1(String key) {
    for (int i = 0, n = key.length(); i < n; i++) {
      if (key.charAt(i) > 0xFF) {
        return false;
      }
    }
    return true;
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

  @Override
  public KeyedPacket deserialize(KeyedPacket reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  /** The key's header: length × 2, +1 when the key is not Latin-1 (then Flink's string encoding follows, not the bytes). */
  private String readKey(DataInputView in) throws IOException {
    int header = in.readInt();
    if ((header & 1) != 0) {
      return StringValue.readString(in);
    }
    int n = header >>> 1;
    Thread current = Thread.currentThread();
    if (owner != current) {
      if (!OWNER.compareAndSet(this, (Thread) null, current)) {
        byte[] latin1 = new byte[n];
        in.readFully(latin1);
        return new String(latin1, StandardCharsets.ISO_8859_1);
      }
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
      super(() -> INSTANCE);
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
