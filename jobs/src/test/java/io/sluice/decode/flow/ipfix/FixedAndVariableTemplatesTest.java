package io.sluice.decode.flow.ipfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.RecordKind;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A template without variable-length fields is read through its {@link FixedRecordPlan}, one with
 * them field by field: the same records must come out of both.
 */
class FixedAndVariableTemplatesTest {
  private static final int PEN = 9;
  private static final int ENTERPRISE_IE = 100;
  private static final int RECORDS = 3;

  /** IE, length; the enterprise field is the one that becomes variable-length. */
  private static final int[][] FIELDS = {
    {8, 4}, {ENTERPRISE_IE, 4}, {12, 4}, {7, 0}, {1, 3}, {2, 4}, {11, 2}, {4, 1}, {153, 8}, {27, 16}, {61, 1},
  };

  @Test
  void planKeepsOnlyTheFieldsActedOnWithTheirOffsets() {
    Template fixed = template(false);
    assertNotNull(fixed.fixedPlan);
    assertEquals(47, fixed.fixedPlan.recordLength);
    // The enterprise field (skipped) and the zero-length port are not in the plan.
    assertEquals(9, fixed.fixedPlan.actions.length);
    assertEquals("[0, 8, 12, 15, 19, 21, 22, 30, 46]", Arrays.toString(fixed.fixedPlan.offsets));
    assertNull(template(true).fixedPlan);
  }

  @Test
  void fixedAndVariableLengthTemplatesGiveTheSameRecords() throws IOException {
    List<String> fixed = decode(false);
    List<String> variable = decode(true);
    assertEquals(RECORDS, fixed.size());
    // Ports, protocol, a reduced-size (3-byte) octet count, packets, end time: read at their offsets.
    assertTrue(fixed.get(2).contains(" v4 0 445 6 66053 12 1700000000002 1700000000 0 "), fixed.get(2));
    assertEquals(fixed, variable);
  }

  private static Template template(boolean variable) {
    int n = FIELDS.length;
    int[] elements = new int[n];
    long[] enterprises = new long[n];
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      elements[i] = FIELDS[i][0];
      lengths[i] = FIELDS[i][1];
      if (FIELDS[i][0] == ENTERPRISE_IE) {
        enterprises[i] = PEN;
        if (variable) lengths[i] = Template.VARIABLE_LENGTH;
      }
    }
    return new Template(256, false, false, 0, elements, enterprises, lengths);
  }

  private static List<String> decode(boolean variable) throws IOException {
    FlowDecoder decoder = new FlowDecoder();
    ExporterState state = new ExporterState();
    DecodeCounters counters = new DecodeCounters();
    List<String> out = new ArrayList<>();
    byte[] exporter = new byte[16];
    byte[] t = message(templateSet(variable));
    decoder.decode(t, 0, t.length, exporter, 1_700_000_001_000_000_000L, state, r -> out.add("unexpected"), counters);
    byte[] d = message(dataSet(variable));
    decoder.decode(d, 0, d.length, exporter, 1_700_000_002_000_000_000L, state, r -> out.add(describe(r)), counters);
    assertEquals(RECORDS, counters.records(RecordKind.FLOW));
    assertEquals(0, counters.totalProblems(), counters.problems().toString());
    return out;
  }

  private static byte[] templateSet(boolean variable) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeShort(256);
    out.writeShort(FIELDS.length);
    for (int[] f : FIELDS) {
      boolean enterprise = f[0] == ENTERPRISE_IE;
      out.writeShort(enterprise ? 0x8000 | f[0] : f[0]);
      out.writeShort(enterprise && variable ? 65535 : f[1]);
      if (enterprise) out.writeInt(PEN);
    }
    return set(2, b.toByteArray());
  }

  private static byte[] dataSet(boolean variable) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    for (int r = 0; r < RECORDS; r++) {
      out.write(new byte[] {10, 0, 0, (byte) (r + 1)});
      if (variable) out.writeByte(4);
      out.writeInt(0xCAFE0000 + r);
      out.write(new byte[] {(byte) 192, (byte) 168, 1, (byte) r});
      out.write(new byte[] {0x01, 0x02, (byte) (0x03 + r)});
      out.writeInt(10 + r);
      out.writeShort(443 + r);
      out.writeByte(6);
      out.writeLong(1_700_000_000_000L + r);
      out.write(new byte[16]); // an all-zero v6 source does not replace the v4 one
      out.writeByte(r & 1);
    }
    out.write(new byte[3]); // padding
    return set(256, b.toByteArray());
  }

  private static byte[] set(int id, byte[] body) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeShort(id);
    out.writeShort(4 + body.length);
    out.write(body);
    return b.toByteArray();
  }

  private static byte[] message(byte[] sets) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeShort(10);
    out.writeShort(16 + sets.length);
    out.writeInt(1_700_000_000);
    out.writeInt(1);
    out.writeInt(5);
    out.write(sets);
    return b.toByteArray();
  }

  private static String describe(FlowRecord r) {
    return Arrays.toString(r.srcAddr) + Arrays.toString(r.dstAddr) + " v" + r.ipVersion + " " + r.srcPort + " "
        + r.dstPort + " " + r.protocol + " " + r.sampledBytes + " " + r.sampledPackets + " " + r.flowEndMs + " "
        + r.time + " " + r.direction + " " + r.observationDomain + " " + r.flowType;
  }
}
