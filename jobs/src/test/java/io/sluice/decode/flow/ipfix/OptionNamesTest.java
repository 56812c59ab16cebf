package io.sluice.decode.flow.ipfix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.Fixtures;
import io.sluice.decode.flow.RecordKind;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interface and VRF names from the exporter's own options data (RFC 7011/7012 IPFIX, RFC 3954 NetFlow v9):
 * names arrive, flows get them, the exporter's state is written and read back as FlowJob's keyed state is
 * across a restart, an id is re-assigned a new name, later flows get it and earlier records keep the old.
 */
public class OptionNamesTest {
  private static final int IF_TABLE = 400;
  private static final int VRF_TABLE = 401;
  private static final int FLOWS = 402;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ipfix", "netflow9"})
  void namesArriveSurviveARestartAndAreReassigned(String protocol) throws IOException {
    boolean ipfix = protocol.equals("ipfix");
    ExporterState state = new ExporterState();
    DecodeCounters counters = new DecodeCounters();
    List<FlowRecord> rows = new ArrayList<>();

    decode(message(ipfix, 1, templates(ipfix), optionsData(ipfix, Map.of(5L, "Gi0/0/0", 6L, "Gi0/0/1"), 7, "cust-a")),
        state, rows, counters);
    decode(message(ipfix, 2, flowData(5, 6, 7, 8)), state, rows, counters);
    assertEquals(List.of("Gi0/0/0 Gi0/0/1 7 cust-a 8 "), describe(rows));

    // A restart: FlowJob keeps ExporterState as bytes in keyed state.
    state = ExporterState.fromBytes(state.toBytes());
    decode(message(ipfix, 3, flowData(5, 6, 7, 8)), state, rows, counters);
    assertEquals("Gi0/0/0 Gi0/0/1 7 cust-a 8 ", describe(rows).get(1), "names after the restart");

    // Re-assignment: ifIndex 5 and VRF 7 get new names; an unnamed ifIndex stays "".
    decode(message(ipfix, 4, optionsData(ipfix, Map.of(5L, "Te0/1/0"), 7, "cust-b")), state, rows, counters);
    decode(message(ipfix, 5, flowData(5, 9, 7, 8)), state, rows, counters);
    assertEquals(List.of("Gi0/0/0 Gi0/0/1 7 cust-a 8 ", "Gi0/0/0 Gi0/0/1 7 cust-a 8 ", "Te0/1/0  7 cust-b 8 "),
        describe(rows), "earlier rows keep the old names, later ones get the new");
    assertEquals(0, counters.totalProblems(), counters.problems().toString());
    assertEquals(3, counters.records(RecordKind.FLOW));
  }

  @Test
  void aStateWrittenBeforeNamesExistedIsStillRead() {
    ExporterState s = new ExporterState();
    byte[] bytes = s.toBytes();
    bytes[0] = 1; // format 1 had no names: the same bytes without the trailing tables
    byte[] v1 = java.util.Arrays.copyOf(bytes, bytes.length - 4);
    assertEquals(0, ExporterState.fromBytes(v1).names().interfaceCount());
  }

  /** Cisco's v9 interface table (scope System, INPUT_SNMP and a NUL-padded IF_DESC), as tshark reads it. */
  @Test
  void ciscoInterfaceTableOfTheAsr9kCaptureIsReadAsTsharkReadsIt() {
    Path capture = Fixtures.flow("logstash-codec-netflow/nfv9_cisco_asr9k_256.pcap");
    Map<Long, String> table = new HashMap<>();
    for (JsonNode r : oracleRecords(capture)) {
      JsonNode f = r.path("fields");
      if (r.path("kind").asText().equals("option_data") && f.has("cflow.if_descr")) {
        table.put(f.path("cflow.inputint").asLong(), f.path("cflow.if_descr").asText());
      }
    }
    assertFalse(table.isEmpty());
    // The capture holds the table only (no flow data): the exporter's state must name every ifIndex as tshark does.
    Fixtures.Decoded decoded = Fixtures.decode(capture, 0);
    assertEquals(1, decoded.decoder.exporters().size());
    ExporterState state = decoded.decoder.exporters().values().iterator().next();
    assertEquals(table.size(), state.names().interfaceCount());
    table.forEach((ifIndex, name) -> assertEquals(name, state.names().interfaceName(ifIndex), "ifIndex " + ifIndex));
    assertEquals("", state.names().interfaceName(1), "an ifIndex the table does not name");
  }

  private static List<JsonNode> oracleRecords(Path capture) {
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(new java.util.zip.GZIPInputStream(
        java.nio.file.Files.newInputStream(Fixtures.oracle(capture, ".records.jsonl.gz"))), StandardCharsets.UTF_8))) {
      List<JsonNode> out = new ArrayList<>();
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      for (String line; (line = in.readLine()) != null; ) if (!line.isBlank()) out.add(json.readTree(line));
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void decode(byte[] m, ExporterState state, List<FlowRecord> rows, DecodeCounters counters) {
    new FlowDecoder().decode(m, 0, m.length, new byte[16], 1, state, r -> rows.add(r.copy()), counters);
  }

  private static List<String> describe(List<FlowRecord> rows) {
    List<String> out = new ArrayList<>();
    for (FlowRecord r : rows) {
      out.add(r.inIfName + " " + r.outIfName + " " + r.inVrfId + " " + r.inVrfName + " " + r.outVrfId + " " + r.outVrfName);
    }
    return out;
  }

  /** The interface table (scope ingressInterface), the VRF table (scope ingressVRFID), the flow template. */
  public static byte[] templates(boolean ipfix) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(optionsTemplate(ipfix, IF_TABLE, new int[][] {{10, 4}}, new int[][] {{82, 16}}));
    b.write(optionsTemplate(ipfix, VRF_TABLE, new int[][] {{234, 4}}, new int[][] {{236, 32}}));
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(t);
    int[][] fields = {{8, 4}, {12, 4}, {1, 4}, {2, 4}, {10, 4}, {14, 4}, {234, 4}, {235, 4}};
    o.writeShort(FLOWS);
    o.writeShort(fields.length);
    for (int[] f : fields) {
      o.writeShort(f[0]);
      o.writeShort(f[1]);
    }
    b.write(set(ipfix ? 2 : 0, t.toByteArray()));
    return b.toByteArray();
  }

  private static byte[] optionsTemplate(boolean ipfix, int id, int[][] scopes, int[][] fields) throws IOException {
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(t);
    o.writeShort(id);
    if (ipfix) {
      o.writeShort(scopes.length + fields.length);
      o.writeShort(scopes.length);
    } else {
      // RFC 3954 6.1: a v9 scope is a scope type; Interface (2) carries the ifIndex. The VRF table's scope is
      // System (1) with the VRF id as an ordinary field, as Cisco exports it.
      o.writeShort(4 * scopes.length);
      o.writeShort(4 * fields.length + (scopes[0][0] == 234 ? 4 : 0));
    }
    for (int[] f : scopes) {
      o.writeShort(ipfix ? f[0] : f[0] == 10 ? 2 : 1);
      o.writeShort(f[1]);
    }
    if (!ipfix && scopes[0][0] == 234) {
      o.writeShort(234);
      o.writeShort(4);
    }
    for (int[] f : fields) {
      o.writeShort(f[0]);
      o.writeShort(f[1]);
    }
    return set(ipfix ? 3 : 1, t.toByteArray());
  }

  public static byte[] optionsData(boolean ipfix, Map<Long, String> interfaces, long vrf, String vrfName) throws IOException {
    ByteArrayOutputStream d = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(d);
    for (Map.Entry<Long, String> e : new java.util.TreeMap<>(interfaces).entrySet()) {
      o.writeInt(e.getKey().intValue());
      o.write(padded(e.getValue(), 16));
    }
    ByteArrayOutputStream v = new ByteArrayOutputStream();
    DataOutputStream vo = new DataOutputStream(v);
    if (!ipfix) vo.writeInt(0xC0A80001); // the System scope's value
    vo.writeInt((int) vrf);
    vo.write(padded(vrfName, 32));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(set(IF_TABLE, d.toByteArray()));
    b.write(set(VRF_TABLE, v.toByteArray()));
    return b.toByteArray();
  }

  public static byte[] flowData(long in, long out, long inVrf, long outVrf) throws IOException {
    ByteArrayOutputStream d = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(d);
    o.writeInt(0x0A000001);
    o.writeInt(0x0A000002);
    o.writeInt(1000);
    o.writeInt(2);
    o.writeInt((int) in);
    o.writeInt((int) out);
    o.writeInt((int) inVrf);
    o.writeInt((int) outVrf);
    return set(FLOWS, d.toByteArray());
  }

  private static byte[] padded(String s, int length) {
    return java.util.Arrays.copyOf(s.getBytes(StandardCharsets.UTF_8), length);
  }

  private static byte[] set(int id, byte[] body) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeShort(id);
    out.writeShort(4 + body.length);
    out.write(body);
    return b.toByteArray();
  }

  public static byte[] message(boolean ipfix, long sequence, byte[]... sets) throws IOException {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    for (byte[] x : sets) s.write(x);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    if (ipfix) {
      out.writeShort(10);
      out.writeShort(16 + s.size());
      out.writeInt(1_700_000_000);
      out.writeInt((int) sequence);
      out.writeInt(3);
    } else {
      out.writeShort(9);
      out.writeShort(sets.length);
      out.writeInt(100_000);
      out.writeInt(1_700_000_000);
      out.writeInt((int) sequence);
      out.writeInt(3);
    }
    out.write(s.toByteArray());
    return b.toByteArray();
  }
}
