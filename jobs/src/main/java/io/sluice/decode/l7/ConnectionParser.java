package io.sluice.decode.l7;

import java.io.DataOutput;
import java.io.IOException;

/**
 * A parser fed both directions of one TCP connection, each in order, with missing bytes of known length as gaps;
 * its whole state can be written for Flink keyed state (each parser reads it back with a factory of its own).
 */
public interface ConnectionParser {
  void onBytes(boolean fromClient, byte[] b, int off, int len, long ts);

  void onGap(boolean fromClient, long missing, long ts);

  /** The connection ended. */
  void close(long ts);

  void write(DataOutput out) throws IOException;
}
