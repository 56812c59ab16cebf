package io.sluice.decode.flow.ipfix;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) messages from a list of fields, for tests that need
 * datagrams no fixture has. A field is an information element, its length and its value bytes; an
 * IPFIX message can also carry an enterprise-specific variable-length field first (RFC 7011 section 7),
 * which sends the decoder down its field-by-field path instead of the compiled fixed-length plan.
 */
public final class FlowMessages {
  public static final int ENTERPRISE = 9;
  public static final int ENTERPRISE_IE = 100;

  /** One template field with its value in the data record. */
  public record Field(int ie, byte[] value) {}

  private final List<Field> fields = new ArrayList<>();

  public FlowMessages field(int ie, byte[] value) {
    fields.add(new Field(ie, value));
    return this;
  }

  public FlowMessages u8(int ie, int v) {
    return field(ie, new byte[] {(byte) v});
  }

  public FlowMessages u16(int ie, int v) {
    return field(ie, new byte[] {(byte) (v >>> 8), (byte) v});
  }

  public FlowMessages u32(int ie, long v) {
    return field(ie, new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
  }

  public List<Field> fields() {
    return fields;
  }

  /** An IPFIX message with the template set then the data set, one record. */
  public byte[] ipfix(int templateId, boolean variable, long sequence) {
    return message(true, templateId, variable, sequence);
  }

  /** A NetFlow v9 packet with the template flowset then the data flowset, one record. */
  public byte[] netflow9(int templateId, long sequence) {
    return message(false, templateId, false, sequence);
  }

  private byte[] message(boolean ipfix, int templateId, boolean variable, long sequence) {
    try {
      ByteArrayOutputStream t = new ByteArrayOutputStream();
      DataOutputStream to = new DataOutputStream(t);
      to.writeShort(templateId);
      to.writeShort(fields.size() + (variable ? 1 : 0));
      if (variable) {
        to.writeShort(0x8000 | ENTERPRISE_IE);
        to.writeShort(65535);
        to.writeInt(ENTERPRISE);
      }
      for (Field f : fields) {
        to.writeShort(f.ie());
        to.writeShort(f.value().length);
      }
      ByteArrayOutputStream d = new ByteArrayOutputStream();
      DataOutputStream dout = new DataOutputStream(d);
      if (variable) {
        dout.writeByte(3);
        dout.write(new byte[] {1, 2, 3});
      }
      for (Field f : fields) dout.write(f.value());
      while (d.size() % 4 != 0) dout.writeByte(0); // padding (RFC 7011 3.3.1, RFC 3954 5.3)

      ByteArrayOutputStream sets = new ByteArrayOutputStream();
      DataOutputStream s = new DataOutputStream(sets);
      s.writeShort(ipfix ? 2 : 0);
      s.writeShort(4 + t.size());
      s.write(t.toByteArray());
      s.writeShort(templateId);
      s.writeShort(4 + d.size());
      s.write(d.toByteArray());

      ByteArrayOutputStream m = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(m);
      if (ipfix) {
        out.writeShort(10);
        out.writeShort(16 + sets.size());
        out.writeInt(1_700_000_000);
        out.writeInt((int) sequence);
        out.writeInt(7);
      } else {
        out.writeShort(9);
        out.writeShort(2);
        out.writeInt(100_000); // sysUptime ms
        out.writeInt(1_700_000_000);
        out.writeInt((int) sequence);
        out.writeInt(7);
      }
      out.write(sets.toByteArray());
      return m.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
