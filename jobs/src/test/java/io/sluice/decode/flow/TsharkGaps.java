package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where tshark 4.0 decodes less than we do, checked independently here rather than trusted:
 *
 * <ul>
 *   <li>A data flowset before its template in the same datagram: tshark reports it as
 *       "undecoded_flowset"; we hold it and decode it when the template arrives. Its record count
 *       follows from the flowset length and the template tshark decoded.
 *   <li>A NetFlow v9 header whose count is smaller than the records present: tshark stops after
 *       `count` records; we decode every flowset by its length.
 *       The extra records follow from walking the flowsets of the datagram here.
 *   <li>An Ethernet pseudowire with a control word inside MPLS (EoMPLS): tshark's heuristic reads
 *       the control word as the start of the inner Ethernet header and finds no IP.
 * </ul>
 */
final class TsharkGaps {
  private TsharkGaps() {}

  static long recordsTsharkCannotDecode(Path capture, Oracle oracle) {
    Map<Integer, Integer> templateLengths = new HashMap<>();
    for (JsonNode r : oracle.records) {
      if (r.path("kind").asText().equals("template")) {
        int len = 0;
        for (JsonNode f : r.path("fields")) len += f.path("length").asInt();
        templateLengths.put(r.path("template_id").asInt(), len);
      }
    }
    long extra = 0;
    for (JsonNode r : oracle.records) {
      if (r.path("kind").asText().equals("undecoded_flowset")) {
        int length = r.path("fields").path("cflow.flowset_length").asInt();
        Integer recordLength = templateLengths.get(r.path("template_id").asInt());
        if (recordLength != null && recordLength > 0) extra += (length - 4) / recordLength;
      }
    }
    return extra + recordsBeyondV9Count(capture, templateLengths);
  }

  /** Data records in v9 flowsets that follow the header's `count` records, where tshark stopped. */
  private static long recordsBeyondV9Count(Path capture, Map<Integer, Integer> templateLengths) {
    Path csv = Fixtures.oracle(capture, ".datagrams.csv");
    List<byte[]> payloads = Fixtures.udpPayloads(capture);
    long extra = 0;
    try (BufferedReader in = Files.newBufferedReader(csv)) {
      String[] header = in.readLine().split(",", -1);
      Map<String, Integer> col = new HashMap<>();
      for (int i = 0; i < header.length; i++) col.put(header[i], i);
      for (String line; (line = in.readLine()) != null; ) {
        String[] v = line.split(",", -1);
        if (!v[col.get("protocol")].equals("netflow_v9")) continue;
        int count = Integer.parseInt(v[col.get("count")]);
        int seen = 0;
        for (String c : new String[] {"n_templates", "n_option_templates", "n_data_records", "n_option_records"}) {
          seen += Integer.parseInt(v[col.get(c)]);
        }
        if (seen != count) continue;
        byte[] d = payloads.get(Integer.parseInt(v[col.get("frame")]) - 1);
        int records = 0;
        long dataBeyond = 0;
        for (int p = 20; p + 4 <= d.length; ) {
          int id = ((d[p] & 0xFF) << 8) | (d[p + 1] & 0xFF);
          int len = ((d[p + 2] & 0xFF) << 8) | (d[p + 3] & 0xFF);
          if (len < 4 || p + len > d.length) break;
          if (id >= 256 && templateLengths.containsKey(id)) {
            int n = (len - 4) / templateLengths.get(id);
            for (int i = 0; i < n; i++) if (records++ >= count) dataBeyond++;
          } else {
            records++; // a template or options flowset counts at least one record
          }
          p += len;
        }
        extra += dataBeyond;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return extra;
  }

  static boolean isMisreadPseudowire(JsonNode o) {
    JsonNode f = o.path("fields");
    return o.path("bytes").isNull() && f.has("pweth") && f.has("cflow.data_link_frame_section");
  }

  /** Parses the frame as Ethernet / MPLS / control word / Ethernet / IPv4, and checks the record. */
  static void assertPseudowireRecord(JsonNode o, FlowRecord r, String what) {
    String[] hex = o.path("fields").path("cflow.data_link_frame_section").asText().split(":");
    byte[] f = new byte[hex.length];
    for (int i = 0; i < hex.length; i++) f[i] = (byte) Integer.parseInt(hex[i], 16);
    int p = 14;
    while ((f[p + 2] & 1) == 0) p += 4; // MPLS labels up to the bottom of stack
    p += 4 + 4 + 14; // last label, control word, inner Ethernet header
    assertEquals(0x45, f[p] & 0xFF, what + ": test expects an inner IPv4 header");
    int ipLength = ((f[p + 2] & 0xFF) << 8) | (f[p + 3] & 0xFF);
    assertEquals(ipLength, r.sampledBytes, what + ": bytes from the pseudowire's inner IPv4 packet");
    assertEquals(1, r.sampledPackets, what + ": packets");
    byte[] src = new byte[16];
    byte[] dst = new byte[16];
    src[10] = src[11] = dst[10] = dst[11] = (byte) 0xFF;
    System.arraycopy(f, p + 12, src, 12, 4);
    System.arraycopy(f, p + 16, dst, 12, 4);
    assertArrayEquals(src, r.srcAddr, what + ": src_addr");
    assertArrayEquals(dst, r.dstAddr, what + ": dst_addr");
    assertEquals(f[p + 9] & 0xFF, r.protocol, what + ": protocol");
    assertEquals(o.path("in_if").asLong(), r.inIf, what + ": in_if");
  }
}
