package io.sluice.jobs.l7;

import io.sluice.jobs.ByteFormatSerializer;
import io.sluice.l7.reassembly.StateIO;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The join's {@link ConversationState}: the three timers' milliseconds (longs: deadline, queue, sightings' expiry),
 * then the conversation's binary form and the sightings' (each an int length, -1 for none, and the bytes).
 * A copy is made through the binary form, so it shares nothing mutable with the original: the heap backend copies a
 * value this way before the job changes it while an asynchronous snapshot still holds it. Each instance keeps its
 * own write buffer, so {@link #duplicate} gives a new one.
 */
final class ConversationStateSerializer extends ByteFormatSerializer<ConversationState> {
  private transient DataOutputSerializer buffer;

  @Override
  public TypeSerializer<ConversationState> duplicate() {
    return new ConversationStateSerializer();
  }

  @Override
  public ConversationState createInstance() {
    return new ConversationState();
  }

  @Override
  public ConversationState copy(ConversationState from) {
    try {
      return from.copy(buffer());
    } catch (IOException e) {
      throw new IllegalStateException("conversation could not be copied", e);
    }
  }

  @Override
  public void serialize(ConversationState s, DataOutputView out) throws IOException {
    out.writeLong(s.deadlineMs);
    out.writeLong(s.queueTimerMs);
    out.writeLong(s.socketsExpiryMs);
    DataOutputSerializer b = buffer();
    StateIO.writeBytes(out, s.writeConversation(b) ? b.getSharedBuffer() : null, b.length());
    StateIO.writeBytes(out, s.sockets);
  }

  @Override
  public ConversationState deserialize(DataInputView in) throws IOException {
    ConversationState s = new ConversationState();
    s.deadlineMs = in.readLong();
    s.queueTimerMs = in.readLong();
    s.socketsExpiryMs = in.readLong();
    byte[] conversation = StateIO.readBytes(in);
    if (conversation != null) {
      s.conversation(conversation);
    }
    s.sockets = StateIO.readBytes(in);
    return s;
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    out.write(in, 24);
    for (int i = 0; i < 2; i++) {
      int length = in.readInt();
      out.writeInt(length);
      if (length > 0) {
        out.write(in, length);
      }
    }
  }

  private DataOutputSerializer buffer() {
    if (buffer == null) {
      buffer = new DataOutputSerializer(256);
    }
    return buffer;
  }

  @Override
  public TypeSerializerSnapshot<ConversationState> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Version 1: the format above. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<ConversationState> {
    public Snapshot() {
      super(ConversationStateSerializer::new);
    }
  }
}
