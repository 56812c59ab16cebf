package io.sluice.decode.l7.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Test helper: a capture cut to begin mid-connection (its first packets dropped, as when a capture or the L7Job
 * starts while connections are open), through the L7 engine, checked per stream against the whole capture's rows
 * and against tshark's dissection of the cut file. A row of the cut must agree with the whole capture's row of its
 * stream on every field it fills; a field it leaves empty, a lower body size or a "lost" status only on a row
 * marked incomplete. One exception, from TCP itself: when the cut dropped a request's first copy and kept its
 * retransmission (seen on loopback when the receiver's backlog overflows), the cut's row is timed by the
 * retransmission, the first copy of those bytes the cut holds.
 */
final class MidConnectionCut {
  /**
   * What a cut gave: rows, whole rows (not marked), rows with a path and a status, rows checked against tshark's
   * dissection of the cut, the whole capture's streams requested after the cut's first packet, and rows timed by a
   * retransmission whose first copy the cut dropped.
   */
  record Result(int rows, int whole, int withPathAndStatus, int againstTshark, int wholeCaptureStreamsAfterCut,
      int timedByRetransmission) {}

  private MidConnectionCut() {}

  static final List<String> TEXT = List.of("method", "host", "path", "scheme", "content_type", "user_agent",
      "grpc_service", "grpc_method", "grpc_message");

  /**
   * @param snap payload bytes kept per packet as the loader's {@code --snap} keeps them, or -1 for whole packets
   *     (on loopback IPv4 a data segment's headers are 66 bytes: Ethernet 14, IPv4 20, TCP with timestamps 32)
   */
  static Result check(Path capture, int drop, int snap, Path dir, int... serverPorts) throws Exception {
    Map<String, Map<String, Object>> whole = byStream(EngineRows.of(capture, false));
    Path cut = dir.resolve("cut-" + drop + "-" + snap + ".pcap");
    List<String> editcap = new ArrayList<>(List.of("editcap", "-r"));
    if (snap >= 0) {
      editcap.addAll(List.of("-s", "" + (66 + snap)));
    }
    editcap.addAll(List.of(capture.toString(), cut.toString(), (drop + 1) + "-1000000000"));
    Tools.run(editcap);
    List<CaptureFrame> frames = frames(cut);
    long cutNs = frames.get(0).timestampNs();
    Map<String, Map<String, Object>> rows = byStream(EngineRows.of(cut, false));
    assertEquals(rows, byStream(EngineRows.of(cut, true)), "kept in keyed state, the same rows");
    int complete = 0;
    int retransmissionTimed = 0;
    for (Map.Entry<String, Map<String, Object>> e : rows.entrySet()) {
      Map<String, Object> r = e.getValue();
      Map<String, Object> w = whole.get(e.getKey());
      String at = "cut after packet " + drop + ", stream " + e.getKey() + ": " + r + " whole: " + w;
      assertNotNull(w, "a row the whole capture does not have: " + at);
      String client = "" + r.get("client_port");
      boolean timedByRetransmission = !r.get("time_ns").equals(w.get("time_ns"))
          && (Long) r.get("time_ns") > (Long) w.get("time_ns")
          && retransmitted(capture).getOrDefault(client, Set.of()).contains((Long) r.get("time_ns"));
      if (timedByRetransmission) {
        retransmissionTimed++;
        if (!r.get("response_time_ns").equals(0L)) {
          assertEquals(w.get("response_time_ns"), r.get("response_time_ns"), "the response is the same frame: " + at);
        }
      }
      if (r.get("incomplete").equals(0)) {
        complete++;
        for (String k : List.of("method", "host", "path", "scheme", "content_type", "user_agent", "status_code",
            "status", "request_body_size", "response_body_size", "grpc_status",
            "grpc_message", "grpc_request_messages", "grpc_response_messages", "grpc_timeout_ns")) {
          assertEquals(w.get(k), r.get(k), k + " of " + at);
        }
        if (!timedByRetransmission) {
          assertEquals(w.get("latency_ns"), r.get("latency_ns"), "latency_ns of " + at);
          assertEquals(w.get("time_ns"), r.get("time_ns"), "time_ns of " + at);
        }
        continue;
      }
      for (String k : TEXT) {
        if (!r.get(k).equals("")) {
          assertEquals(w.get(k), r.get(k), k + " of " + at);
        }
      }
      if (!r.get("status_code").equals(0)) {
        assertEquals(w.get("status_code"), r.get("status_code"), at);
      }
      if (!r.get("grpc_status").equals(-1)) {
        assertEquals(w.get("grpc_status"), r.get("grpc_status"), at);
      }
      if (!r.get("status").equals("lost")) {
        assertEquals(w.get("status"), r.get("status"), at);
      }
      if (!timedByRetransmission) {
        assertEquals(w.get("time_ns"), r.get("time_ns"), "the request's HEADERS are the same frame: " + at);
      }
      assertTrue((Long) r.get("request_body_size") <= (Long) w.get("request_body_size"), at);
      assertTrue((Long) r.get("response_body_size") <= (Long) w.get("response_body_size"), at);
    }
    int checked = againstTshark(cut, frames, rows, serverPorts);
    int after = (int) whole.values().stream().filter(w -> (Long) w.get("time_ns") >= cutNs).count();
    int filled = (int) rows.values().stream()
        .filter(r -> !r.get("path").equals("") && !r.get("status_code").equals(0)).count();
    return new Result(rows.size(), complete, filled, checked, after, retransmissionTimed);
  }

  private static final Map<Path, Map<String, Set<Long>>> RETRANSMITTED = new java.util.HashMap<>();

  /**
   * tshark's retransmitted segments of the whole capture: per sender's port, their capture times in nanoseconds
   * (frame.time_epoch has nine decimals).
   */
  static synchronized Map<String, Set<Long>> retransmitted(Path capture) throws Exception {
    Map<String, Set<Long>> known = RETRANSMITTED.get(capture);
    if (known != null) {
      return known;
    }
    Map<String, Set<Long>> out = new java.util.HashMap<>();
    String fields = Tools.run(List.of("tshark", "-r", capture.toString(), "-Y",
        "tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission",
        "-T", "fields", "-e", "tcp.srcport", "-e", "frame.time_epoch"));
    for (String line : fields.split("\n")) {
      String[] f = line.trim().split("\t");
      if (f.length == 2) {
        long ns = new java.math.BigDecimal(f[1]).movePointRight(9).longValueExact();
        out.computeIfAbsent(f[0], k -> new java.util.HashSet<>()).add(ns);
      }
    }
    RETRANSMITTED.put(capture, out);
    return out;
  }

  /**
   * tshark's dissection of the cut file, where it decoded a stream's request: every field we fill agrees. Its
   * tcp.stream numbers connections in their order of first appearance in the file, as done here to find the ports.
   */
  private static int againstTshark(Path cut, List<CaptureFrame> frames, Map<String, Map<String, Object>> rows,
      int... serverPorts) throws Exception {
    Map<String, TsharkHttp2.Stream> tshark = TsharkHttp2.streams(cut, serverPorts);
    List<Integer> clientPortOfTcpStream = new ArrayList<>();
    List<String> pairs = new ArrayList<>();
    PacketHeader h = new PacketHeader();
    for (CaptureFrame f : frames) {
      if (!PacketParser.parse(f.linkType(), f.data(), 0, f.capturedLength(), h) || h.protocol != PacketParser.PROTO_TCP) {
        continue;
      }
      String pair = Math.min(h.srcPort, h.dstPort) + "-" + Math.max(h.srcPort, h.dstPort);
      if (!pairs.contains(pair)) {
        pairs.add(pair);
        boolean srcIsServer = java.util.Arrays.stream(serverPorts).anyMatch(p -> p == h.srcPort);
        clientPortOfTcpStream.add(srcIsServer ? h.dstPort : h.srcPort);
      }
    }
    int checked = 0;
    for (Map.Entry<String, TsharkHttp2.Stream> e : tshark.entrySet()) {
      String[] k = e.getKey().split("/");
      Map<String, Object> r = rows.get(clientPortOfTcpStream.get(Integer.parseInt(k[0])) + "/" + k[1]);
      TsharkHttp2.Stream t = e.getValue();
      if (r == null || t.method.isEmpty()) {
        continue;
      }
      String at = "tshark " + e.getKey() + " " + t + " vs " + r;
      agrees(t.method, r.get("method"), at);
      agrees(t.path, r.get("path"), at);
      agrees(t.authority, r.get("host"), at);
      if (t.status != 0 && !r.get("status_code").equals(0)) {
        assertEquals(t.status, r.get("status_code"), at);
      }
      checked++;
    }
    return checked;
  }

  private static void agrees(String tshark, Object ours, String at) {
    if (!tshark.isEmpty() && !"".equals(ours)) {
      assertEquals(tshark, ours, at);
    }
  }

  private static Map<String, Map<String, Object>> byStream(EngineRows rows) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map<String, Object> r : rows.http2()) {
      assertEquals(null, out.put(r.get("client_port") + "/" + r.get("stream_id"), r), "one row per stream");
    }
    return out;
  }

  static List<CaptureFrame> frames(Path capture) throws Exception {
    List<CaptureFrame> out = new ArrayList<>();
    try (CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame f = reader.readNext(); f != null; f = reader.readNext()) {
        out.add(f);
      }
    }
    return out;
  }
}
