package io.sluice.jobs.l7;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** {@link KeyedPacket}'s type for Flink: serialised by {@link KeyedPacketSerializer}, not as a POJO. */
public final class KeyedPacketTypeInfo extends TypeInformation<KeyedPacket> {
  /** Found by Flink through {@link KeyedPacket}'s {@code @TypeInfo}. */
  public static final class Factory extends TypeInfoFactory<KeyedPacket> {
    @Override
    public TypeInformation<KeyedPacket> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
      return new KeyedPacketTypeInfo();
    }
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<KeyedPacket> getTypeClass() {
    return KeyedPacket.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<KeyedPacket> createSerializer(SerializerConfig config) {
    return KeyedPacketSerializer.INSTANCE;
  }

  @Override
  public String toString() {
    return "KeyedPacket";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyedPacketTypeInfo;
  }

  @Override
  public int hashCode() {
    return KeyedPacketTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object o) {
    return o instanceof KeyedPacketTypeInfo;
  }
}
