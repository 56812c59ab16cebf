package io.sluice.jobs.flow;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import io.sluice.jobs.ByteFormatSerializer;
import io.sluice.jobs.SerializerTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * {@link RawDatagram} across the keyBy: its fields in a fixed order, each array as a length (-1: null) and its bytes,
 * without the reflection and per-field null flags of Flink's POJO serializer. Datagrams are not kept in state.
 */
public final class RawDatagramSerializer extends ByteFormatSerializer<RawDatagram> {
  static final RawDatagramSerializer INSTANCE = new RawDatagramSerializer();

  /** Stateless: one instance serves every thread. */
  @Override
  public RawDatagramSerializer duplicate() {
    return this;
  }

  @Override
  public RawDatagram createInstance() {
    return new RawDatagram();
  }

  @Override
  public RawDatagram copy(RawDatagram from) {
    RawDatagram to = new RawDatagram();
    to.exporterAddr = copyOf(from.exporterAddr);
    to.exporterPort = from.exporterPort;
    to.receivedNs = from.receivedNs;
    to.collectorId = from.collectorId;
    to.payload = copyOf(from.payload);
    to.udpSourceAddr = copyOf(from.udpSourceAddr);
    to.sourceUpdatedNs = from.sourceUpdatedNs;
    return to;
  }

  @Override
  public void serialize(RawDatagram d, DataOutputView out) throws IOException {
    bytes(d.exporterAddr, out);
    out.writeInt(d.exporterPort);
    out.writeLong(d.receivedNs);
    StringValue.writeString(d.collectorId, out);
    bytes(d.payload, out);
    bytes(d.udpSourceAddr, out);
    out.writeLong(d.sourceUpdatedNs);
  }

  @Override
  public RawDatagram deserialize(DataInputView in) throws IOException {
    RawDatagram d = new RawDatagram();
    d.exporterAddr = bytes(in);
    d.exporterPort = in.readInt();
    d.receivedNs = in.readLong();
    d.collectorId = StringValue.readString(in);
    d.payload = bytes(in);
    d.udpSourceAddr = bytes(in);
    d.sourceUpdatedNs = in.readLong();
    return d;
  }

  @Override
  public TypeSerializerSnapshot<RawDatagram> snapshotConfiguration() {
    return new Snapshot();
  }

  private static void bytes(byte[] b, DataOutputView out) throws IOException {
    if (b == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(b.length);
      out.write(b);
    }
  }

  private static byte[] bytes(DataInputView in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      return null;
    }
    byte[] b = new byte[length];
    in.readFully(b);
    return b;
  }

  private static byte[] copyOf(byte[] b) {
    return b == null ? null : b.clone();
  }

  /** The serializer's snapshot: it has no configuration. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<RawDatagram> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }

  /** Makes {@code TypeInformation.of(RawDatagram.class)} this serializer's type, wherever Flink derives it. */
  public static final class Factory extends TypeInfoFactory<RawDatagram> {
    @Override
    public TypeInformation<RawDatagram> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
      return new SerializerTypeInfo<>(RawDatagram.class, INSTANCE);
    }
  }
}
