package io.sluice.decode.l7.http2;

import static io.sluice.decode.l7.http2.Http2Connection.CONTINUATION;
import static io.sluice.decode.l7.http2.Http2Connection.DATA;
import static io.sluice.decode.l7.http2.Http2Connection.HEADERS;
import static io.sluice.decode.l7.http2.Http2Connection.PING;
import static io.sluice.decode.l7.http2.Http2Connection.WINDOW_UPDATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** HTTP/2 joined mid-connection: where the frames start, which side is which, and rows marked, never wrong. */
class Http2MidConnectionTest {
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;

  private static byte[] request(int stream, String path) {
    return new Frames().frame(HEADERS, END_STREAM | END_HEADERS, stream,
        new Frames.Block().indexed(2).indexed(6).literal(4, path).bytes()).bytes();
  }

  @Test
  void framesStartASegmentOnlyWhenTheirHeadersValidate() {
    byte[] two = new Frames().frame(WINDOW_UPDATE, 0, 0, new byte[] {0, 0, 1, 0})
        .frame(DATA, END_STREAM, 3, new byte[100]).bytes();
    assertTrue(Http2Connection.startsWithFrames(two, 0, two.length));
    assertTrue(Http2Connection.startsWithFrames(two, 0, 30), "the second frame runs on into the next segment");
    byte[] one = request(5, "/x");
    assertTrue(Http2Connection.startsWithFrames(one, 0, one.length), "one frame that ends with the segment");
    assertFalse(Http2Connection.startsWithFrames(one, 0, one.length - 1), "one frame, cut: not enough to go on");
    assertFalse(Http2Connection.startsWithFrames(two, 13, 50), "one DATA frame running on says too little");
    assertFalse(Http2Connection.startsWithFrames(two, 1, two.length - 1), "off the boundary by one byte");
    byte[] http1 = "GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    assertFalse(Http2Connection.startsWithFrames(http1, 0, http1.length));
    byte[] tls = {0x16, 0x03, 0x01, 0x00, (byte) 0xc8, 0x01, 0x00, 0x00, (byte) 0xc4, 0x03, 0x03};
    assertFalse(Http2Connection.startsWithFrames(tls, 0, tls.length));
    byte[] continuation = new Frames().frame(CONTINUATION, END_HEADERS, 1, new byte[] {(byte) 0x82})
        .frame(PING, 0, 0, new byte[8]).bytes();
    assertFalse(Http2Connection.startsWithFrames(continuation, 0, continuation.length),
        "a CONTINUATION first: its block began before");
    byte[] badFlags = new Frames().frame(PING, 0x40, 0, new byte[8]).frame(PING, 0, 0, new byte[8]).bytes();
    assertFalse(Http2Connection.startsWithFrames(badFlags, 0, badFlags.length));
    byte[] pingOnStream = new Frames().frame(PING, 0, 1, new byte[8]).frame(PING, 0, 0, new byte[8]).bytes();
    assertFalse(Http2Connection.startsWithFrames(pingOnStream, 0, pingOnStream.length));
  }

  @Test
  void randomBytesRarelyPass() {
    Random random = new Random(17);
    byte[] b = new byte[1400];
    int passed = 0;
    for (int i = 0; i < 100_000; i++) {
      random.nextBytes(b);
      passed += Http2Connection.startsWithFrames(b, 0, b.length) ? 1 : 0;
    }
    assertEquals(0, passed, "random segments that passed");
  }

  @Test
  void theSenderIsToldByItsFirstPseudoHeader() {
    byte[] req = request(7, "/a");
    assertEquals(1, Http2Connection.sender(req, 0, req.length));
    byte[] resp = new Frames().frame(HEADERS, END_HEADERS, 7, new Frames.Block().indexed(8).bytes())
        .frame(DATA, END_STREAM, 7, new byte[5]).bytes();
    assertEquals(-1, Http2Connection.sender(resp, 0, resp.length));
    byte[] literalStatus = new Frames().frame(HEADERS, END_HEADERS, 7,
        new Frames.Block().literal(":status", "418").bytes()).bytes();
    assertEquals(-1, Http2Connection.sender(literalStatus, 0, literalStatus.length));
    byte[] trailers = new Frames().frame(HEADERS, END_STREAM | END_HEADERS, 7,
        new Frames.Block().literal("grpc-status", "0").bytes()).bytes();
    assertEquals(0, Http2Connection.sender(trailers, 0, trailers.length), "trailers do not say");
    byte[] dynamic = new Frames().frame(HEADERS, END_HEADERS, 7, new Frames.Block().indexed(70).bytes()).bytes();
    assertEquals(0, Http2Connection.sender(dynamic, 0, dynamic.length), "an unknown entry does not say");
    byte[] data = new Frames().frame(DATA, 0, 7, new byte[5]).frame(DATA, END_STREAM, 7, new byte[5]).bytes();
    assertEquals(0, Http2Connection.sender(data, 0, data.length));
  }

  /**
   * Each side joined mid-frame: its first chunk is skipped. Streams opened before the start give no rows; the
   * literal added after the start resolves, the entry from before stays unknown.
   */
  @Test
  void rowsOnlyForStreamsRequestedAfterTheStartAndNeverAGuessedField() {
    Frames client = new Frames();
    client.frame(DATA, END_STREAM, 1, new byte[40]); // the end of stream 1's body, begun before the start
    byte[] clientHead = Arrays.copyOfRange(client.bytes(), 20, client.size()); // the start falls inside it
    Frames c2 = new Frames();
    c2.frame(PING, 0, 0, new byte[8]);
    c2.frame(HEADERS, END_STREAM | END_HEADERS, 3, new Frames.Block().indexed(2).indexed(6)
        .add(":authority", "example.org").literal(4, "/three").indexed(63).bytes()); // 63: from before the start
    c2.frame(HEADERS, END_STREAM | END_HEADERS, 5, new Frames.Block().indexed(2).indexed(6).indexed(62)
        .literal(4, "/five").bytes()); // 62: ":authority: example.org", added above
    byte[] cb = c2.bytes();
    Frames server = new Frames();
    server.frame(HEADERS, END_HEADERS, 1, new Frames.Block().indexed(8).bytes()); // stream 1: before the start
    server.frame(DATA, END_STREAM, 1, new byte[10]);
    server.frame(HEADERS, END_HEADERS, 3, new Frames.Block().indexed(8).literal(31, "text/plain").bytes());
    server.frame(DATA, END_STREAM, 3, new byte[7]);
    server.frame(HEADERS, END_HEADERS, 5, new Frames.Block().indexed(13).bytes());
    server.frame(DATA, END_STREAM, 5, new byte[3]);
    byte[] sb = server.bytes();
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(false, rows::add);
    c.onBytes(true, clientHead, 0, clientHead.length, 1);
    c.onBytes(false, new byte[] {0, 0, 0, 0}, 0, 4, 1); // the tail of a frame before the start
    c.onBytes(true, cb, 0, cb.length, 2);
    c.onBytes(false, sb, 0, sb.length, 3); // answers stream 1 too: a response, not a row
    c.close(9);
    rows.sort(Comparator.comparingInt(Http2StreamRow::streamId));
    assertEquals(2, c.problems(Http2Problem.SKIPPED_TO_FRAME_START));
    assertEquals(List.of(List.of(3, "/three", 200, "answered", true), List.of(5, "/five", 404, "answered", false)),
        rows.stream().map(r -> List.of(r.streamId(), r.path(), r.statusCode(), r.status(), r.incomplete())).toList(),
        "3 refers to an entry from before the start; 5 only to one added after it, and its response HEADERS were seen");
  }

  @Test
  void aPartlyKnownTableResolvesOnlyWhatWasAddedAfterTheStart() {
    Frames client = new Frames();
    client.frame(PING, 0, 0, new byte[8]);
    client.frame(HEADERS, END_STREAM | END_HEADERS, 3, new Frames.Block().indexed(2).indexed(6)
        .add(":authority", "example.org").literal(4, "/three").indexed(63).bytes());
    client.frame(HEADERS, END_STREAM | END_HEADERS, 5, new Frames.Block().indexed(2).indexed(6).indexed(62)
        .literal(4, "/five").bytes());
    Frames server = new Frames();
    server.frame(PING, 1, 0, new byte[8]);
    server.frame(HEADERS, END_HEADERS, 3, new Frames.Block().indexed(8).literal(31, "text/plain").bytes());
    server.frame(DATA, END_STREAM, 3, new byte[7]);
    server.frame(HEADERS, END_HEADERS | END_STREAM, 5, new Frames.Block().indexed(13).bytes());
    List<Http2StreamRow> rows = feed(client.bytes(), server.bytes());
    assertEquals(2, rows.size());
    Http2StreamRow r3 = rows.get(0);
    assertEquals(List.of("GET", "http", "example.org", "/three", 200, "text/plain", 7L, "answered", true),
        List.of(r3.method(), r3.scheme(), r3.host(), r3.path(), r3.statusCode(), r3.contentType(),
            r3.responseBodySize(), r3.status(), r3.incomplete()), "index 63 was before the start: marked");
    Http2StreamRow r5 = rows.get(1);
    assertEquals(List.of("GET", "example.org", "/five", 404, "answered", false),
        List.of(r5.method(), r5.host(), r5.path(), r5.statusCode(), r5.status(), r5.incomplete()),
        "index 62 is the entry added after the start");
  }

  @Test
  void aStreamWhoseResponseMayHaveBeenSkippedSaysSo() {
    // The client side starts on a frame; the server's first chunk runs on from a frame before the start and holds
    // the start of stream 3's response, so that response's HEADERS are never seen.
    Frames client = new Frames();
    client.frame(HEADERS, END_STREAM | END_HEADERS, 3, new Frames.Block().indexed(2).indexed(6)
        .literal(4, "/three").bytes());
    byte[] before = new Frames().frame(DATA, 0, 1, new byte[30])
        .frame(HEADERS, END_HEADERS, 3, new Frames.Block().indexed(8).bytes()).bytes();
    byte[] serverFirst = Arrays.copyOfRange(before, 5, before.length);
    byte[] serverRest = new Frames().frame(DATA, END_STREAM, 3, new byte[9]).frame(PING, 0, 0, new byte[8]).bytes();
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(false, rows::add);
    byte[] cb = client.bytes();
    c.onBytes(true, cb, 0, cb.length, 1);
    c.onBytes(false, serverFirst, 0, serverFirst.length, 2);
    c.onBytes(false, serverRest, 0, serverRest.length, 3);
    c.close(9);
    assertEquals(1, rows.size());
    Http2StreamRow r = rows.get(0);
    assertEquals(List.of("/three", 0, true), List.of(r.path(), r.statusCode(), r.incomplete()),
        "its status was in the skipped chunk: empty, and the row says so");
  }

  private static List<Http2StreamRow> feed(byte[] client, byte[] server) {
    List<Http2StreamRow> rows = new ArrayList<>();
    Http2Connection c = new Http2Connection(false, rows::add);
    c.onBytes(true, client, 0, client.length, 1);
    c.onBytes(false, server, 0, server.length, 2);
    c.close(9);
    rows.sort(Comparator.comparingInt(Http2StreamRow::streamId));
    return rows;
  }
}
