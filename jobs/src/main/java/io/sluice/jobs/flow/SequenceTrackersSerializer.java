package io.sluice.jobs.flow;

import io.sluice.decode.flow.SequenceTrackers;
import io.sluice.jobs.ByteFormatSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * An exporter's {@link SequenceTrackers} in keyed state, in their binary form ({@link SequenceTrackers#write}). A copy
 * shares no tracker with the original: the heap backend copies a value this way before the job changes it while an
 * asynchronous snapshot still holds it.
 */
final class SequenceTrackersSerializer extends ByteFormatSerializer<SequenceTrackers> {
  @Override
  public TypeSerializer<SequenceTrackers> duplicate() {
    return this; // stateless
  }

  @Override
  public SequenceTrackers createInstance() {
    return new SequenceTrackers();
  }

  @Override
  public SequenceTrackers copy(SequenceTrackers from) {
    return from.copy();
  }

  @Override
  public void serialize(SequenceTrackers trackers, DataOutputView out) throws IOException {
    trackers.write(out);
  }

  @Override
  public SequenceTrackers deserialize(DataInputView in) throws IOException {
    return SequenceTrackers.read(in);
  }

  @Override
  public TypeSerializerSnapshot<SequenceTrackers> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Version 1: the format above. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<SequenceTrackers> {
    public Snapshot() {
      super(SequenceTrackersSerializer::new);
    }
  }
}
