package io.sluice.jobs;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A serializer of a mutable record in a byte format of its own, written and read field by field: no fixed length,
 * no reuse of instances on reading or copying, and two serializers of one class are equal. Subclasses give the
 * format ({@code serialize}, {@code deserialize}, {@code copy}), {@code duplicate} and the snapshot.
 */
public abstract class ByteFormatSerializer<T> extends TypeSerializer<T> {
  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public T copy(T from, T reuse) {
    return copy(from);
  }

  @Override
  public T deserialize(T reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  /** Through the record; a subclass whose format it can skip through without one overrides it. */
  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass();
  }

  @Override
  public int hashCode() {
    return getClass().hashCode();
  }
}
