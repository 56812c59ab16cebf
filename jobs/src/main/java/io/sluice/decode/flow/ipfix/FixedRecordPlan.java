package io.sluice.decode.flow.ipfix;

/**
 * A template without variable-length fields, compiled once: only the fields the data decoder acts
 * on, each with its offset in the record. Such a record is checked for length once and its fields
 * are read at these offsets, with no per-field length bookkeeping. Immutable.
 */
final class FixedRecordPlan {
  final int recordLength;
  final byte[] actions;
  final int[] elements;
  final int[] offsets;
  final int[] lengths;

  private FixedRecordPlan(int recordLength, byte[] actions, int[] elements, int[] offsets, int[] lengths) {
    this.recordLength = recordLength;
    this.actions = actions;
    this.elements = elements;
    this.offsets = offsets;
    this.lengths = lengths;
  }

  /** The plan for a template's fields, or null when one has a variable length. */
  static FixedRecordPlan of(byte[] actions, int[] elements, int[] lengths) {
    int used = 0;
    for (int i = 0; i < lengths.length; i++) {
      if (lengths[i] == Template.VARIABLE_LENGTH) return null;
      if (lengths[i] > 0 && actions[i] != FieldAction.SKIP) used++;
    }
    byte[] a = new byte[used];
    int[] e = new int[used];
    int[] o = new int[used];
    int[] l = new int[used];
    int offset = 0;
    int k = 0;
    for (int i = 0; i < lengths.length; i++) {
      if (lengths[i] > 0 && actions[i] != FieldAction.SKIP) {
        a[k] = actions[i];
        e[k] = elements[i];
        o[k] = offset;
        l[k] = lengths[i];
        k++;
      }
      offset += lengths[i];
    }
    return new FixedRecordPlan(offset, a, e, o, l);
  }
}
