package io.sluice.jobs.l7;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringComparator;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The L7 job's keys ({@link PacketKeys}) in keyed state, timers and checkpoints: byte for byte Flink's own string
 * format ({@link StringValue#writeString}: the length + 1, then each character, as 7-bit groups), built in an
 * array and written at once. Flink's serializer writes each byte with its own call down the checkpoint stream, and
 * every key is written once per state and per timer in every checkpoint (the profile's largest cost in the
 * checkpoint thread). The same bytes, so state written with Flink's serializer is read as it is.
 */
public final class PacketKeySerializer extends TypeSerializerSingleton<String> {
  public static final PacketKeySerializer INSTANCE = new PacketKeySerializer();

  /** The key type for {@code keyBy}: a string key with this serializer. */
  public static final TypeInformation<String> TYPE = new KeyType();

  private static final class KeyType extends BasicTypeInfo<String> {
    private static final long serialVersionUID = 1L;

    KeyType() {
      super(String.class, new Class<?>[0], INSTANCE, StringComparator.class);
    }
  }

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public String createInstance() {
    return "";
  }

  @Override
  public String copy(String from) {
    return from;
  }

  @Override
  public String copy(String from, String reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(String key, DataOutputView out) throws IOException {
    int n = key.length();
    // At most 5 bytes for the length and 3 per character (a char is 16 bits).
    byte[] bytes = new byte[5 + 3 * n];
    int at = varint(n + 1, bytes, 0);
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c < 0x80) { // a key is mostly node name and raw address bytes: one or two bytes each
        bytes[at++] = (byte) c;
      } else if (c < 0x4000) {
        bytes[at++] = (byte) (c | 0x80);
        bytes[at++] = (byte) (c >>> 7);
      } else {
        bytes[at++] = (byte) (c | 0x80);
        bytes[at++] = (byte) ((c >>> 7) | 0x80);
        bytes[at++] = (byte) (c >>> 14);
      }
    }
    out.write(bytes, 0, at);
  }

  private static int varint(int value, byte[] bytes, int at) {
    while (value >= 0x80) {
      bytes[at++] = (byte) (value | 0x80);
      value >>>= 7;
    }
    bytes[at++] = (byte) value;
    return at;
  }

  @Override
  public String deserialize(DataInputView in) throws IOException {
    return StringValue.readString(in);
  }

  @Override
  public String deserialize(String reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    StringValue.copyString(in, out);
  }

  @Override
  public TypeSerializerSnapshot<String> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The serializer's snapshot in checkpoints; it has no configuration. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<String> {
    public Snapshot() {
      super(() -> INSTANCE);
    }

    /** Keys written by Flink's string serializer (checkpoints from before this one) are the same bytes. */
    @Override
    public TypeSerializerSchemaCompatibility<String> resolveSchemaCompatibility(TypeSerializerSnapshot<String> old) {
      if (old instanceof StringSerializer.StringSerializerSnapshot) {
        return TypeSerializerSchemaCompatibility.compatibleAsIs();
      }
      return super.resolveSchemaCompatibility(old);
    }
  }
}
