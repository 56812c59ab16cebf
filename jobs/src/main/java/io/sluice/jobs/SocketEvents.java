package io.sluice.jobs;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.wire.SocketEvent;

/** What every job reading sluice.sockets.raw accepts as a record: a {@code SocketEvent} with 16-byte addresses. */
public final class SocketEvents {
  private SocketEvents() {}

  /** The event in {@code value}, or null when it is not one (to be counted as malformed by the caller). */
  public static SocketEvent parse(byte[] value) {
    SocketEvent e;
    try {
      e = SocketEvent.parseFrom(value == null ? new byte[0] : value);
    } catch (InvalidProtocolBufferException ex) {
      return null;
    }
    return e.getSrcAddr().size() == 16 && e.getDstAddr().size() == 16 ? e : null;
  }
}
