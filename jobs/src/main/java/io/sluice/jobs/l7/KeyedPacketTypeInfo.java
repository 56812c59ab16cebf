package io.sluice.jobs.l7;

import io.sluice.jobs.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * {@link KeyedPacket}'s type for Flink: serialised by {@link KeyedPacketSerializer}, not as a POJO; a serializer of its
 * own for every caller, since the serializer keeps buffers and a cache.
 */
public final class KeyedPacketTypeInfo extends SerializerTypeInfo<KeyedPacket> {
  /** Found by Flink through {@link KeyedPacket}'s {@code @TypeInfo}. */
  public static final class Factory extends TypeInfoFactory<KeyedPacket> {
    @Override
    public TypeInformation<KeyedPacket> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
      return new KeyedPacketTypeInfo();
    }
  }

  public KeyedPacketTypeInfo() {
    super(KeyedPacket.class, new KeyedPacketSerializer());
  }

  @Override
  public TypeSerializer<KeyedPacket> createSerializer(SerializerConfig config) {
    return new KeyedPacketSerializer();
  }
}
