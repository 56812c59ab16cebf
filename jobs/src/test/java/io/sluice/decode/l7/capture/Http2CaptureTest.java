package io.sluice.decode.l7.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.decode.l7.http2.Http2Connection;
import io.sluice.decode.l7.http2.Http2StreamRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real HTTP/2 with prior knowledge: nginx serving h2c, driven by h2load (many concurrent streams on one
 * connection) and nghttp (a 404, a POST with a body, a gRPC-shaped call whose trailers nginx adds), captured on lo
 * by dumpcap and checked per stream against tshark's dissection of the same file. Then the same capture cut as
 * the eBPF loader cuts it: every row must agree with tshark or say that its headers are incomplete.
 */
class Http2CaptureTest {
  @TempDir static Path dir;
  static int port;
  static int grpcPort;
  static Path capture;
  static Map<String, TsharkHttp2.Stream> oracle;
  /** Packets dumpcap reported dropped: only then may a stream tshark saw whole be a lost row here. */
  static long dropped;
  /** nghttp's own decode of the gRPC-shaped call's response: tshark 4.0's gRPC dissector stops on it. */
  static String nghttpVerbose;

  static final int H2LOAD_REQUESTS = 600;

  @BeforeAll
  static void capture() throws Exception {
    assumeTrue(Tools.installed("nginx") && Tools.installed("h2load") && Tools.installed("nghttp")
        && Tools.installed("dumpcap") && Tools.installed("tshark"), "needs nginx, nghttp2-client, dumpcap, tshark");
    port = Tools.freePort();
    Path html = Files.createDirectories(dir.resolve("html"));
    Tools.worldReadable(dir);
    Files.write(html.resolve("small.txt"), "hello\n".getBytes());
    Files.write(html.resolve("mid.bin"), new byte[20_000]);
    Files.write(html.resolve("big.bin"), new byte[50_000]);
    byte[] grpc = {0, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0};
    Path grpcDocs = Files.createDirectories(dir.resolve("grpc").resolve("helloworld.Greeter"));
    Files.write(grpcDocs.resolve("SayHello"), grpc);
    grpcPort = Tools.freePort();
    Files.write(dir.resolve("post.txt"), new byte[3000]);
    Tools.worldReadable(html);
    String server = "  server {\n    listen 127.0.0.1:" + port + " http2;\n    root " + html + ";\n"
        + "    http2_max_concurrent_streams 128;\n"
        + "    location = /missing { return 404; }\n"
        + "    location = /post { return 201; }\n"
        + "  }";
    Process nginx = Tools.nginx(dir, server, port);
    // nghttpd answers any method with the file and adds trailers: a gRPC-shaped call (status in the trailers).
    Process nghttpd = new ProcessBuilder("nghttpd", "--no-tls", "-d", dir.resolve("grpc").toString(),
        "--trailer", "grpc-status: 5", "--trailer", "grpc-message: not%20found", "" + grpcPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("nghttpd.log").toFile()).start();
    Tools.waitForPort(grpcPort, nghttpd);
    try (LoopbackDumpcap cap = LoopbackDumpcap.start(dir, "h2c", port, grpcPort)) {
      String base = "http://127.0.0.1:" + port;
      Tools.run(List.of("h2load", "-n", "" + H2LOAD_REQUESTS, "-c", "2", "-m", "100", base + "/small.txt",
          base + "/mid.bin", base + "/big.bin", base + "/missing"));
      Tools.run(List.of("nghttp", "-n", base + "/missing", base + "/small.txt"));
      Tools.run(List.of("nghttp", "-n", "-d", dir.resolve("post.txt").toString(), base + "/post"));
      nghttpVerbose = Tools.run(List.of("nghttp", "-v", "-n", "-H", "content-type: application/grpc", "-H", "grpc-timeout: 250m",
          "-d", dir.resolve("post.txt").toString(), "http://127.0.0.1:" + grpcPort + "/helloworld.Greeter/SayHello"));
      capture = cap.stop();
      dropped = cap.dropped();
    } finally {
      nginx.destroy();
      nginx.waitFor();
      nghttpd.destroy();
      nghttpd.waitFor();
    }
    oracle = TsharkHttp2.streams(capture, port, grpcPort);
  }

  @AfterAll
  static void done() {}

  /** Rows per "connection index/stream id", connections numbered in SYN order as tshark's tcp.stream is. */
  static Map<String, Http2StreamRow> parse(Path capture, int snap, long[] costs) throws Exception {
    Map<String, Http2StreamRow> rows = new LinkedHashMap<>();
    List<Integer> connections = new ArrayList<>();
    TcpReplay replay = new TcpReplay();
    replay.run(capture, snap, name -> {
      int index = connections.size();
      connections.add(index);
      Http2Connection c = new Http2Connection(true, row -> rows.put(index + "/" + row.streamId(), row));
      return TcpReplay.feeding(c);
    });
    if (costs != null) {
      costs[0] = replay.payloadBytes;
      costs[1] = replay.keptBytes;
    }
    return rows;
  }

  @Test
  void everyStreamAsTsharkSawIt() throws Exception {
    Map<String, Http2StreamRow> rows = parse(capture, -1, null);
    assertTrue(oracle.size() >= H2LOAD_REQUESTS + 4, "tshark saw " + oracle.size() + " streams");
    assertEquals(oracle.keySet(), rows.keySet());
    int grpcCalls = 0;
    int bigFiles = 0;
    int lostBigFiles = 0;
    for (Map.Entry<String, TsharkHttp2.Stream> e : oracle.entrySet()) {
      TsharkHttp2.Stream t = e.getValue();
      Http2StreamRow r = rows.get(e.getKey());
      String at = e.getKey() + " " + t + " (dumpcap dropped " + dropped + ")";
      if (dropped > 0 && r.status().equals(Http2StreamRow.STATUS_LOST)) {
        // the capture lost bytes of this connection: fields may be missing but never wrong
        agreesOrEmpty(t.method, r.method(), r, at);
        agreesOrEmpty(t.path, r.path(), r, at);
        lostBigFiles += t.path.equals("/big.bin") && t.status == 200 ? 1 : 0;
        continue;
      }
      assertEquals(List.of(t.method, t.path, t.authority, t.scheme, t.status, t.contentType),
          List.of(r.method(), r.path(), r.host(), r.scheme(), r.statusCode(), r.contentType()), at);
      assertEquals("answered", r.status(), at);
      assertTrue(!r.incomplete(), at);
      // >= 0: the capture has microsecond times, and on loopback a response can start in its request's microsecond
      assertTrue(r.latencyNs() >= 0 && r.durationNs() >= r.latencyNs(), at + " latency " + r.latencyNs() + " duration " + r.durationNs());
      if (r.grpc()) {
        grpcCalls++;
        // tshark 4.0 does not get to these trailers (its gRPC dissector asserts when the response has no
        // content-type), so they are checked against the client's own decode.
        assertTrue(nghttpVerbose.contains(") grpc-status: 5") && nghttpVerbose.contains(") grpc-message: not%20found"));
        assertEquals(List.of(5, "not found", "helloworld.Greeter", "SayHello", 250_000_000L, 2L),
            List.of(r.grpcStatus(), r.grpcMessage(), r.grpcService(), r.grpcMethod(), r.grpcTimeoutNs(),
                r.grpcResponseMessages()), at);
        assertEquals(3000, r.requestBodySize());
      }
      if (t.path.equals("/big.bin") && t.status == 200) {
        assertEquals(50_000, r.responseBodySize(), at);
        bigFiles++;
      }
      if (t.path.equals("/post")) {
        assertEquals(3000, r.requestBodySize(), at);
      }
    }
    assertEquals(1, grpcCalls);
    assertEquals(H2LOAD_REQUESTS / 4, bigFiles + lostBigFiles, "nginx served every big file");
  }

  /** Rows per "connection index/stream id" from the capture cut by the frame-aware rule; each connection's cut in {@code cuts}. */
  static Map<String, Http2StreamRow> parseFrameAware(Path capture, List<FrameAwareCut> cuts) throws Exception {
    Map<String, Http2StreamRow> rows = new LinkedHashMap<>();
    new TcpReplay().run(capture, -1, name -> {
      int index = cuts.size();
      Http2Connection c = new Http2Connection(true, row -> rows.put(index + "/" + row.streamId(), row));
      FrameAwareCut cut = new FrameAwareCut(TcpReplay.feeding(c));
      cuts.add(cut);
      return cut;
    });
    return rows;
  }

  /** The loader's default snap (256) and its maximum (1914): fields never wrong, the loss counted. */
  @Test
  void asTheLoaderCutsIt() throws Exception {
    for (int snap : new int[] {256, 1914}) {
      long[] costs = new long[2];
      Map<String, Http2StreamRow> rows = parse(capture, snap, costs);
      int whole = 0;
      for (Map.Entry<String, Http2StreamRow> e : rows.entrySet()) {
        Http2StreamRow r = e.getValue();
        TsharkHttp2.Stream t = oracle.get(e.getKey());
        assertTrue(t != null || r.incomplete(), "a row tshark does not know must be marked: " + r);
        if (t == null) {
          continue;
        }
        String at = "snap " + snap + " " + e.getKey() + " " + t + " vs " + r;
        agreesOrEmpty(t.method, r.method(), r, at);
        agreesOrEmpty(t.path, r.path(), r, at);
        agreesOrEmpty(t.authority, r.host(), r, at);
        if (r.statusCode() != 0) {
          assertEquals(t.status, r.statusCode(), at);
        }
        if (!r.incomplete() && r.status().equals("answered")) {
          assertEquals(t.status, r.statusCode(), at);
          whole++;
        }
      }
      System.out.printf("HTTP/2 snap %d: %d of %d tshark streams whole, %d rows; payload kept %d of %d bytes%n",
          snap, whole, oracle.size(), rows.size(), costs[1], costs[0]);
    }
  }

  /**
   * The capture rule README.md describes for HTTP/2 (frame headers and every payload but DATA's kept, DATA
   * payload a hole of known length): every stream whole, with the body sizes still exact.
   */
  @Test
  void frameAwareCaptureKeepsEveryHeaderBlockWhole() throws Exception {
    List<FrameAwareCut> cuts = new ArrayList<>();
    Map<String, Http2StreamRow> rows = parseFrameAware(capture, cuts);
    Map<String, Http2StreamRow> whole = parse(capture, -1, null);
    assertEquals(whole.keySet(), rows.keySet());
    for (Map.Entry<String, Http2StreamRow> e : whole.entrySet()) {
      Http2StreamRow w = e.getValue();
      Http2StreamRow r = rows.get(e.getKey());
      // gRPC message counts need the DATA payload the rule drops: such a row says its counts are lower bounds.
      assertEquals(List.of(w.method(), w.path(), w.host(), w.statusCode(), w.contentType(), w.status(),
          w.requestBodySize(), w.responseBodySize(), w.incomplete() || w.grpc(), w.grpcStatus()),
          List.of(r.method(), r.path(), r.host(), r.statusCode(), r.contentType(), r.status(),
          r.requestBodySize(), r.responseBodySize(), r.incomplete(), r.grpcStatus()), e.getKey());
    }
    long kept = cuts.stream().mapToLong(c -> c.kept).sum();
    long seen = cuts.stream().mapToLong(c -> c.seen).sum();
    long maxSegment = cuts.stream().mapToLong(c -> c.maxPerSegment).max().orElse(0);
    System.out.printf("HTTP/2 frame-aware: %d streams whole; payload kept %d of %d bytes; most kept from one"
        + " segment %d%n", rows.size(), kept, seen, maxSegment);
  }

  /** The same capture through the L7 engine (`sluice l7`): recognised by its preface, one row per stream. */
  @Test
  void throughTheL7Engine() throws Exception {
    throughTheL7Engine(false);
  }

  /** The same, with each conversation written to bytes and read back after every packet, as in keyed state. */
  @Test
  void throughConversationsKeptAsBytes() throws Exception {
    throughTheL7Engine(true);
  }

  private void throughTheL7Engine(boolean keyedState) throws Exception {
    EngineRows rows = EngineRows.of(capture, keyedState);
    List<String> engine = new ArrayList<>();
    for (Map<String, Object> c : rows.http2()) {
      assertEquals("HTTP/2", c.get("version"));
      assertEquals(0, c.get("incomplete"));
      engine.add(c.get("method") + " " + c.get("host") + c.get("path") + " " + c.get("status_code") + " "
          + c.get("status") + " " + c.get("grpc_status"));
    }
    List<String> expected = new ArrayList<>();
    for (TsharkHttp2.Stream t : oracle.values()) {
      expected.add(t.method + " " + t.authority + t.path + " " + t.status + " answered "
          + (t.path.startsWith("/helloworld") ? 5 : -1));
    }
    java.util.Collections.sort(engine);
    java.util.Collections.sort(expected);
    assertEquals(expected, engine);
    assertEquals(List.of(), rows.http1(), "no connection taken for HTTP/1");
  }

  /**
   * The capture begun mid-connection (its first third, then half, of the packets dropped), whole and as the loader
   * cuts it: HTTP/2 found by its frames, and every row agrees with the whole capture's and tshark's on what it
   * fills.
   */
  @Test
  void startedMidConnection() throws Exception {
    int packets = MidConnectionCut.frames(capture).size();
    for (int drop : new int[] {packets / 3, packets / 2}) {
      for (int snap : new int[] {-1, 256}) {
        MidConnectionCut.Result r = MidConnectionCut.check(capture, drop, snap, dir, port, grpcPort);
        System.out.printf("HTTP/2 mid-connection after packet %d of %d, snap %d: %s%n", drop, packets, snap, r);
        // Cut by the snap, a segment of many frames loses its direction's framing (as in asTheLoaderCutsIt).
        assertTrue(snap < 0 ? r.withPathAndStatus() > 0 && r.rows() >= r.wholeCaptureStreamsAfterCut() / 2
            : r.rows() > 0, r.toString());
      }
    }
  }

  private static void agreesOrEmpty(String tshark, String ours, Http2StreamRow r, String at) {
    if (!ours.isEmpty() || !r.incomplete()) {
      assertEquals(tshark, ours, at);
    }
  }
}
