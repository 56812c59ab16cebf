package io.sluice.decode.l7.http2;

import static io.sluice.decode.l7.http2.Http2Connection.CONTINUATION;
import static io.sluice.decode.l7.http2.Http2Connection.DATA;
import static io.sluice.decode.l7.http2.Http2Connection.GOAWAY;
import static io.sluice.decode.l7.http2.Http2Connection.HEADERS;
import static io.sluice.decode.l7.http2.Http2Connection.PING;
import static io.sluice.decode.l7.http2.Http2Connection.RST_STREAM;
import static io.sluice.decode.l7.http2.Http2Connection.SETTINGS;
import static io.sluice.decode.l7.http2.Http2Connection.WINDOW_UPDATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Http2ConnectionTest {
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int PADDED = 0x8;
  private static final int PRIORITY_FLAG = 0x20;

  /** Client side of one connection: five streams sent at once, one of them gRPC. */
  static Frames clientFrames(boolean preface) {
    Frames f = new Frames();
    if (preface) {
      f.preface();
    }
    f.frame(SETTINGS, 0, 0, new byte[] {0, 1, 0, 0, 0x10, 0, 0, 3, 0, 0, 0, 100});
    f.frame(HEADERS, END_STREAM | END_HEADERS, 1, new Frames.Block().indexed(2).indexed(7)
        .add(":authority", "example.org").literal(4, "/a").literal(58, "t/1").bytes());
    byte[] grpcHead = new Frames.Block().indexed(3).indexed(6).literal(4, "/helloworld.Greeter/SayHello")
        .indexed(62).literal(31, "application/grpc").literal("grpc-timeout", "250m").literal("te", "trailers")
        .bytes();
    byte[] withPriority = new byte[grpcHead.length + 5];
    System.arraycopy(grpcHead, 0, withPriority, 5, grpcHead.length);
    f.frame(HEADERS, END_HEADERS | PRIORITY_FLAG, 3, withPriority);
    byte[] block5 = new Frames.Block().indexed(2).indexed(7).indexed(62).literal(4, "/c").bytes();
    f.frame(HEADERS, END_STREAM, 5, Arrays.copyOfRange(block5, 0, 3));
    f.frame(CONTINUATION, END_HEADERS, 5, Arrays.copyOfRange(block5, 3, block5.length));
    byte[] messages = Frames.grpcMessages(10, 0);
    byte[] padded = new byte[1 + messages.length + 4];
    padded[0] = 4;
    System.arraycopy(messages, 0, padded, 1, messages.length);
    f.frame(DATA, PADDED | END_STREAM, 3, padded);
    f.frame(HEADERS, END_STREAM | END_HEADERS, 7, new Frames.Block().indexed(2).indexed(7).indexed(62)
        .literal(4, "/cancelled").bytes());
    f.frame(RST_STREAM, 0, 7, new byte[] {0, 0, 0, 8});
    f.frame(HEADERS, END_STREAM | END_HEADERS, 9, new Frames.Block().indexed(2).indexed(7).indexed(62)
        .literal(4, "/late").bytes());
    f.frame(PING, 0, 0, new byte[8]);
    return f;
  }

  static Frames serverFrames() {
    Frames f = new Frames();
    f.frame(SETTINGS, 0, 0, new byte[0]);
    f.frame(SETTINGS, 1, 0, new byte[0]);
    f.frame(HEADERS, END_HEADERS, 3, new Frames.Block().indexed(8).literal(31, "application/grpc").bytes());
    f.frame(DATA, 0, 3, Frames.grpcMessages(3, 4, 5));
    f.frame(HEADERS, END_STREAM | END_HEADERS, 3, new Frames.Block().literal("grpc-status", "5")
        .literal("grpc-message", "not%20found").bytes());
    f.frame(HEADERS, END_HEADERS, 5, new Frames.Block().literal(8, "103").bytes());
    f.frame(HEADERS, END_HEADERS | END_STREAM, 5, new Frames.Block().indexed(9).bytes());
    f.frame(HEADERS, END_HEADERS, 1, new Frames.Block().indexed(8).add("content-type", "text/html").bytes());
    f.frame(WINDOW_UPDATE, 0, 0, new byte[] {0, 0, 1, 0});
    f.frame(DATA, END_STREAM, 1, new byte[100]);
    f.frame(GOAWAY, 0, 0, new byte[] {0, 0, 0, 7, 0, 0, 0, 0});
    return f;
  }

  private static List<Http2StreamRow> run(Http2Connection c, List<Http2StreamRow> rows) {
    c.close(9_000);
    rows.sort(Comparator.comparingInt(Http2StreamRow::streamId));
    return rows;
  }

  @Test
  void streamsOfOneConnection() {
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(true, rows::add);
    byte[] cb = clientFrames(true).bytes();
    byte[] sb = serverFrames().bytes();
    c.onBytes(true, cb, 0, cb.length, 1_000);
    c.onBytes(false, sb, 0, sb.length, 5_000);
    checkAll(run(c, rows));
    assertEquals(0, c.openStreams());
  }

  @Test
  void sameRowsWhateverTheSegmentBoundaries() {
    byte[] cb = clientFrames(true).bytes();
    byte[] sb = serverFrames().bytes();
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      List<Http2StreamRow> rows = new ArrayList<>();
      Http2Connection c = new Http2Connection(true, rows::add);
      int maxPiece = round == 0 ? 1 : 1 + random.nextInt(40);
      feed(c, true, cb, 1_000, random, maxPiece);
      feed(c, false, sb, 5_000, random, maxPiece);
      checkAll(run(c, rows));
    }
  }

  /**
   * Capture times out of order by a microsecond (loopback, Http2CaptureTest once in CI): the response's bytes timed
   * before the request's, and its end before its headers. A response neither starts before its request nor ends
   * before it started: latency 0, duration equal to the latency.
   */
  @Test
  void captureTimesRunningBackwardGiveNoNegativeLatencyNorADurationBelowIt() {
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(true, rows::add);
    byte[] cb = clientFrames(true).bytes();
    byte[] sb = serverFrames().bytes();
    c.onBytes(true, cb, 0, cb.length, 5_000);
    int split = sb.length - 9 - 100 - 17; // the last DATA frame (END_STREAM, 100 bytes) and the GOAWAY in a later segment
    c.onBytes(false, sb, 0, split, 4_999);
    c.onBytes(false, sb, split, sb.length - split, 4_000);
    List<Http2StreamRow> sorted = run(c, rows);
    Http2StreamRow r1 = sorted.get(0);
    assertEquals(List.of(1, 0L, 0L), List.of(r1.streamId(), r1.latencyNs(), r1.durationNs()));
    for (Http2StreamRow r : sorted) {
      assertTrue(r.latencyNs() >= 0 && r.durationNs() >= r.latencyNs(), r.toString());
    }
  }

  private static void feed(Http2Connection c, boolean fromClient, byte[] b, long ts, Random r, int maxPiece) {
    for (int i = 0; i < b.length; ) {
      int n = Math.min(b.length - i, 1 + r.nextInt(maxPiece));
      c.onBytes(fromClient, b, i, n, ts);
      i += n;
    }
  }

  private static void checkAll(List<Http2StreamRow> rows) {
    assertEquals(5, rows.size(), rows.toString());
    Http2StreamRow r1 = rows.get(0);
    assertEquals(List.of(1, "GET", "https", "example.org", "/a", 200, "text/html", "t/1", 100L, "answered"),
        List.of(r1.streamId(), r1.method(), r1.scheme(), r1.host(), r1.path(), r1.statusCode(),
            r1.contentType(), r1.userAgent(), r1.responseBodySize(), r1.status()));
    assertEquals(4_000, r1.latencyNs());
    assertFalse(r1.incomplete());
    assertFalse(r1.grpc());

    Http2StreamRow r3 = rows.get(1);
    assertTrue(r3.grpc());
    assertEquals(List.of("POST", "example.org", "helloworld.Greeter", "SayHello", 5, "not found", 2L, 3L),
        List.of(r3.method(), r3.host(), r3.grpcService(), r3.grpcMethod(), r3.grpcStatus(), r3.grpcMessage(),
            r3.grpcRequestMessages(), r3.grpcResponseMessages()));
    assertEquals(250_000_000L, r3.grpcTimeoutNs());
    assertEquals(15 + 5, r3.requestBodySize(), "data without padding");
    assertEquals(5 * 3 + 12, r3.responseBodySize());
    assertEquals(200, r3.statusCode());

    Http2StreamRow r5 = rows.get(2);
    assertEquals(List.of("/c", 204, "answered"), List.of(r5.path(), r5.statusCode(), r5.status()),
        "the block spans HEADERS and CONTINUATION; the 103 is not the response");
    Http2StreamRow r7 = rows.get(3);
    assertEquals(List.of("/cancelled", "reset", 8L), List.of(r7.path(), r7.status(), r7.errorCode()));
    Http2StreamRow r9 = rows.get(4);
    assertEquals(List.of("/late", "goaway", 0), List.of(r9.path(), r9.status(), r9.statusCode()));
  }

  @Test
  void midConnectionStartMarksWhatTheDynamicTableHid() {
    // The capture starts after the first stream: its block filled the tables, this parser never saw it.
    Frames client = new Frames();
    client.frame(HEADERS, END_STREAM | END_HEADERS, 9, new Frames.Block().indexed(2).indexed(7).indexed(62)
        .literal(4, "/late").bytes());
    Frames server = new Frames();
    server.frame(HEADERS, END_HEADERS | END_STREAM, 9, new Frames.Block().indexed(13).bytes());
    server.frame(HEADERS, END_HEADERS | END_STREAM, 11, new Frames.Block().indexed(8).bytes());
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(false, rows::add);
    byte[] cb = client.bytes();
    byte[] sb = server.bytes();
    c.onBytes(true, cb, 0, cb.length, 1);
    c.onBytes(false, sb, 0, sb.length, 2);
    run(c, rows);
    assertEquals(1, rows.size(), "stream 11's request was before the start: no row invented for it");
    Http2StreamRow r = rows.get(0);
    assertTrue(r.incomplete());
    assertEquals(List.of("GET", "https", "", "/late", 404, "answered"),
        List.of(r.method(), r.scheme(), r.host(), r.path(), r.statusCode(), r.status()));
  }

  @Test
  void holeInAHeaderBlockKeepsTheFieldsBeforeItAndForgetsTheTable() {
    byte[] cb = clientFrames(true).bytes();
    byte[] sb = serverFrames().bytes();
    // Stream 3's HEADERS: find its payload and cut it after the priority bytes plus ":method POST" (1 byte).
    int at = indexOfFrame(cb, HEADERS, 3) + 9 + 5 + 1;
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(true, rows::add);
    c.onBytes(true, cb, 0, at, 1_000);
    c.onGap(true, 4, 1_000);
    c.onBytes(true, cb, at + 4, cb.length - at - 4, 1_000);
    c.onBytes(false, sb, 0, sb.length, 5_000);
    run(c, rows);
    assertEquals(5, rows.size());
    Http2StreamRow r1 = rows.get(0);
    assertFalse(r1.incomplete(), "stream 1 was before the hole");
    Http2StreamRow r3 = rows.get(1);
    assertTrue(r3.incomplete());
    assertEquals("POST", r3.method());
    assertEquals("", r3.path(), "after the hole: unknown, not guessed");
    assertEquals(1, c.problems(Http2Problem.HEADER_BLOCK_CUT));
    Http2StreamRow r5 = rows.get(2);
    assertTrue(r5.incomplete(), "its :authority came from the dynamic table, now unknown");
    assertEquals("", r5.host());
    assertEquals("/c", r5.path());
  }

  @Test
  void holeInDataIsCountedAndAHoleAcrossAFrameHeaderLosesTheDirection() {
    byte[] cb = clientFrames(true).bytes();
    byte[] sb = serverFrames().bytes();
    int data1 = indexOfFrame(sb, DATA, 1) + 9;
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(true, rows::add);
    c.onBytes(true, cb, 0, cb.length, 1_000);
    c.onBytes(false, sb, 0, data1 + 10, 5_000);
    c.onGap(false, 80, 5_000);
    c.onBytes(false, sb, data1 + 90, sb.length - data1 - 90, 5_000);
    run(c, rows);
    assertEquals(100, rows.get(0).responseBodySize());
    assertEquals("answered", rows.get(0).status());

    rows.clear();
    Http2Connection lost = new Http2Connection(true, rows::add);
    int head1 = indexOfFrame(sb, HEADERS, 1);
    lost.onBytes(true, cb, 0, cb.length, 1_000);
    lost.onBytes(false, sb, 0, head1 + 3, 5_000);
    lost.onGap(false, 20, 5_000);
    run(lost, rows);
    assertEquals(1, lost.problems(Http2Problem.FRAMING_LOST));
    Http2StreamRow r1 = rows.stream().filter(r -> r.streamId() == 1).findFirst().orElseThrow();
    assertEquals("lost", r1.status());
  }

  @Test
  void aClientThatDoesNotSendThePrefaceIsNotHttp2() {
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(true, rows::add);
    byte[] b = "GET / HTTP/1.1\r\n\r\n".getBytes();
    c.onBytes(true, b, 0, b.length, 1);
    assertFalse(c.prefaceSeen());
    assertEquals(1, c.problems(Http2Problem.BAD_PREFACE));
  }

  /** Offset of the first frame of that type and stream, walking the frames after an optional preface. */
  /**
   * The client's side loses its framing before the gRPC call's DATA (a snap cut across a frame header): the call is
   * answered, but its request body and message count are lower bounds, so its row says incomplete.
   */
  @Test
  void aSideCutBeforeItEndedMarksItsStreamsIncomplete() {
    byte[] cb = clientFrames(true).bytes();
    byte[] sb = serverFrames().bytes();
    int at = indexOfFrame(cb, DATA, 3) + 4;
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(true, rows::add);
    c.onBytes(true, cb, 0, at, 1_000);
    c.onGap(true, cb.length - at, 1_000);
    c.onBytes(false, sb, 0, sb.length, 5_000);
    run(c, rows);
    Http2StreamRow r1 = rows.stream().filter(r -> r.streamId() == 1).findFirst().orElseThrow();
    assertFalse(r1.incomplete(), "stream 1 ended before the cut");
    Http2StreamRow r3 = rows.stream().filter(r -> r.streamId() == 3).findFirst().orElseThrow();
    assertEquals(List.of("answered", 0L, 0L, true), List.of(r3.status(), r3.requestBodySize(),
        r3.grpcRequestMessages(), r3.incomplete()), r3.toString());
  }

  /** A grpc-status that is not a number is no status: -1, never 0 (OK). */
  @Test
  void aMalformedGrpcStatusIsNone() {
    for (String value : List.of("abc", "", "-1", "1234")) {
      Frames server = new Frames();
      server.frame(SETTINGS, 0, 0, new byte[0]);
      server.frame(HEADERS, END_HEADERS, 3, new Frames.Block().indexed(8).literal(31, "application/grpc").bytes());
      server.frame(HEADERS, END_STREAM | END_HEADERS, 3, new Frames.Block().literal("grpc-status", value).bytes());
      server.frame(HEADERS, END_HEADERS | END_STREAM, 5, new Frames.Block().indexed(9).bytes());
      server.frame(HEADERS, END_HEADERS, 1, new Frames.Block().indexed(8).bytes());
      server.frame(DATA, END_STREAM, 1, new byte[1]);
      List<Http2StreamRow> rows = new ArrayList<>();
      Http2Connection c = new Http2Connection(true, rows::add);
      byte[] cb = clientFrames(true).bytes();
      byte[] sb = server.bytes();
      c.onBytes(true, cb, 0, cb.length, 1_000);
      c.onBytes(false, sb, 0, sb.length, 2_000);
      run(c, rows);
      Http2StreamRow r3 = rows.stream().filter(r -> r.streamId() == 3).findFirst().orElseThrow();
      assertEquals(List.of(true, -1), List.of(r3.grpc(), r3.grpcStatus()), "grpc-status '" + value + "'");
    }
  }

  static int indexOfFrame(byte[] b, int type, int stream) {
    int i = b.length >= 24 && b[0] == 'P' && b[1] == 'R' && b[2] == 'I' ? 24 : 0;
    while (i + 9 <= b.length) {
      int len = ((b[i] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i + 2] & 0xff);
      int sid = ((b[i + 5] & 0x7f) << 24) | ((b[i + 6] & 0xff) << 16) | ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
      if ((b[i + 3] & 0xff) == type && sid == stream) {
        return i;
      }
      i += 9 + len;
    }
    throw new AssertionError("no frame");
  }

  /**
   * An h2c upgrade's HTTP2-Settings are the client's first SETTINGS: with SETTINGS_HEADER_TABLE_SIZE 1024 a server
   * block that sizes its table to 4096 breaks HPACK's rules (counted, the row marked), while 1024 is accepted; without
   * the header, the default 4096 is. A value that is not base64url of whole settings is counted and ignored.
   */
  @Test
  void upgradeSettingsBoundTheServersHpackTable() {
    byte[] to4096 = {0x3f, (byte) 0xe1, 0x1f, (byte) 0x88}; // size update 4096, :status 200
    byte[] to1024 = {0x3f, (byte) 0xe1, 0x07, (byte) 0x88}; // size update 1024, :status 200
    assertEquals(List.of(1L, 1), upgraded("AAEAAAQA", to4096)); // {0, 1, 0, 0, 4, 0}: table size 1024
    assertEquals(List.of(0L, 0), upgraded("AAEAAAQA", to1024));
    assertEquals(List.of(0L, 0), upgraded("", to4096));
    assertEquals(List.of(0L, 0), upgraded("AAEAAAQ", to4096)); // 5 bytes: no whole setting, ignored
  }

  /** HPACK errors and the upgraded stream's incomplete flag after the server answers it with {@code block}. */
  private static List<Object> upgraded(String http2Settings, byte[] block) {
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(true, rows::add);
    c.upgradeSettings(http2Settings);
    c.upgradedRequest("GET", "example.org", "/", "", "curl", 0, 1_000, false);
    byte[] cb = new Frames().preface().frame(SETTINGS, 0, 0, new byte[0]).bytes();
    byte[] sb = new Frames().frame(SETTINGS, 0, 0, new byte[0])
        .frame(HEADERS, END_STREAM | END_HEADERS, 1, block).bytes();
    c.onBytes(true, cb, 0, cb.length, 2_000);
    c.onBytes(false, sb, 0, sb.length, 3_000);
    c.close(4_000);
    assertEquals(1, rows.size());
    assertEquals(http2Settings.equals("AAEAAAQ") ? 1 : 0, c.problems(Http2Problem.BAD_FRAME));
    if (rows.get(0).incomplete()) {
      return List.of(c.problems(Http2Problem.HPACK_ERROR), 1);
    }
    assertEquals(200, rows.get(0).statusCode());
    return List.of(c.problems(Http2Problem.HPACK_ERROR), 0);
  }
}
