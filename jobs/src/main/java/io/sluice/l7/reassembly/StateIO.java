package io.sluice.l7.reassembly;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Nullable byte arrays and strings for the L7 state's binary form (Flink keyed state). */
public final class StateIO {
  private StateIO() {}

  public static void writeBytes(DataOutput out, byte[] b) throws IOException {
    writeBytes(out, b, b == null ? 0 : b.length);
  }

  /** The first {@code len} bytes of {@code b}. */
  public static void writeBytes(DataOutput out, byte[] b, int len) throws IOException {
    if (b == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(len);
    out.write(b, 0, len);
  }

  public static byte[] readBytes(DataInput in) throws IOException {
    int len = in.readInt();
    if (len < 0) {
      return null;
    }
    byte[] b = new byte[len];
    in.readFully(b);
    return b;
  }

  public static void writeString(DataOutput out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  public static String readString(DataInput in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
