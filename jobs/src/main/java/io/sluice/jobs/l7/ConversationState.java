package io.sluice.jobs.l7;

import io.sluice.l7.Conversation;
import io.sluice.l7.L7Context;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * What the join keeps for one key besides its packet queue: the conversation, the socket sightings
 * ({@link io.sluice.l7.ProcessAttribution}'s binary form) and the milliseconds of the key's three timers (the queue's,
 * the conversation's deadline, the sightings' expiry; {@link #NONE} when not set). The conversation is the live
 * {@link Conversation} once the join has used it (on the heap backend it stays in state as it is, so a timer neither
 * reads nor writes its binary form), or its binary form ({@link Conversation#write}) as read back from a checkpoint or
 * from RocksDB, made live on first use ({@link #conversation(L7Context)}).
 */
final class ConversationState {
  /** No timer. */
  static final long NONE = Long.MIN_VALUE;

  private Conversation live;
  private byte[] bytes;
  long deadlineMs = NONE;
  long queueTimerMs = NONE;
  long socketsExpiryMs = NONE;
  byte[] sockets;

  boolean hasConversation() {
    return live != null || bytes != null;
  }

  boolean isEmpty() {
    return !hasConversation() && sockets == null && deadlineMs == NONE && queueTimerMs == NONE
        && socketsExpiryMs == NONE;
  }

  /** The conversation (a new one if there is none), read from its binary form with {@code cx} the first time. */
  Conversation conversation(L7Context cx) throws IOException {
    if (live == null) {
      live = bytes == null ? new Conversation(cx) : Conversation.read(new DataInputDeserializer(bytes), cx);
      bytes = null;
    }
    return live;
  }

  /** Keeps {@code c}, or no conversation when null. */
  void conversation(Conversation c) {
    live = c;
    bytes = null;
  }

  /** Keeps the conversation in its binary form, made live on first use. */
  void conversation(byte[] binary) {
    live = null;
    bytes = binary;
  }

  /** Writes the conversation's binary form into {@code buffer} (cleared first); false when there is none. */
  boolean writeConversation(DataOutputSerializer buffer) throws IOException {
    buffer.clear();
    if (live != null) {
      live.write(buffer);
    } else if (bytes != null) {
      buffer.write(bytes);
    } else {
      return false;
    }
    return true;
  }

  /** A copy that shares nothing mutable with this one (the conversation through its binary form). */
  ConversationState copy(DataOutputSerializer buffer) throws IOException {
    ConversationState c = new ConversationState();
    if (writeConversation(buffer)) {
      c.bytes = buffer.getCopyOfBuffer();
    }
    c.deadlineMs = deadlineMs;
    c.queueTimerMs = queueTimerMs;
    c.socketsExpiryMs = socketsExpiryMs;
    c.sockets = sockets; // never changed in place: replaced
    return c;
  }
}
