package io.sluice.decode.flow.ipfix;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A NetFlow v9 or IPFIX (options) template: its fields, and for each the action the data decoder
 * takes, compiled once. Immutable.
 */
public final class Template {
  public static final int VARIABLE_LENGTH = 65535;
  /** More fields than any real exporter sends; a bound for hostile input. */
  public static final int MAX_FIELDS = 512;

  final int id;
  final boolean options;
  /** NetFlow v9 (scope fields are v9 scope types, not information elements). */
  final boolean v9;
  final int scopeCount;
  final int[] elements;
  final long[] enterprises;
  final int[] lengths;
  final byte[] actions;
  /** The shortest a record can be: fixed lengths plus one length byte per variable field. */
  final int minRecordLength;
  /** How records of a template without variable-length fields are read; null when it has some. */
  final FixedRecordPlan fixedPlan;

  Template(int id, boolean options, boolean v9, int scopeCount, int[] elements, long[] enterprises, int[] lengths) {
    this.id = id;
    this.options = options;
    this.v9 = v9;
    this.scopeCount = scopeCount;
    this.elements = elements;
    this.enterprises = enterprises;
    this.lengths = lengths;
    this.actions = new byte[elements.length];
    int min = 0;
    for (int i = 0; i < elements.length; i++) {
      boolean v9Scope = v9 && i < scopeCount;
      // A v9 scope field is a scope type (RFC 3954 6.1), not an element: only Interface (2) is used, as the ifIndex.
      actions[i] = v9Scope ? (elements[i] == 2 ? FieldAction.IN_IF : FieldAction.SKIP) : FieldAction.of(elements[i], enterprises[i]);
      min += lengths[i] == VARIABLE_LENGTH ? 1 : lengths[i];
    }
    this.minRecordLength = min;
    this.fixedPlan = FixedRecordPlan.of(actions, elements, lengths);
  }

  public int id() {
    return id;
  }

  public boolean isOptions() {
    return options;
  }

  public int fieldCount() {
    return elements.length;
  }

  /** The bytes {@link #write} takes: the measure of a template in {@link TemplateCache}'s bound. */
  int storedBytes() {
    return 7 + 8 * elements.length;
  }

  boolean sameFields(Template o) {
    return options == o.options
        && scopeCount == o.scopeCount
        && Arrays.equals(elements, o.elements)
        && Arrays.equals(enterprises, o.enterprises)
        && Arrays.equals(lengths, o.lengths);
  }

  void write(DataOutput out) throws IOException {
    out.writeShort(id);
    out.writeByte((options ? 1 : 0) | (v9 ? 2 : 0));
    out.writeShort(scopeCount);
    out.writeShort(elements.length);
    for (int i = 0; i < elements.length; i++) {
      out.writeShort(elements[i]);
      out.writeShort(lengths[i]);
      out.writeInt((int) enterprises[i]);
    }
  }

  static Template read(DataInput in) throws IOException {
    int id = in.readUnsignedShort();
    int flags = in.readUnsignedByte();
    int scopeCount = in.readUnsignedShort();
    int n = in.readUnsignedShort();
    if (n > MAX_FIELDS || scopeCount > n) throw new IOException("bad template in state");
    int[] elements = new int[n];
    long[] enterprises = new long[n];
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      elements[i] = in.readUnsignedShort();
      lengths[i] = in.readUnsignedShort();
      enterprises[i] = in.readInt() & 0xFFFFFFFFL;
    }
    return new Template(id, (flags & 1) != 0, (flags & 2) != 0, scopeCount, elements, enterprises, lengths);
  }
}
