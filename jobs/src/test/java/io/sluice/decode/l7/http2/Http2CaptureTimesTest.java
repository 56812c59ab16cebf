package io.sluice.decode.l7.http2;

import static io.sluice.decode.l7.http2.Http2Connection.DATA;
import static io.sluice.decode.l7.http2.Http2Connection.HEADERS;
import static io.sluice.decode.l7.http2.Http2Connection.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.l7.TcpFeed;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 (and so gRPC) rows through the whole L7 path when capture times run backward by a few microseconds: a
 * response captured before its request, or a response's end captured before its start. A response starts no
 * earlier than its request and ends no earlier than it starts.
 */
class Http2CaptureTimesTest {
  static final long T = 1_700_000_000_000_000_000L;
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;

  private static byte[] request() {
    return new Frames().preface().frame(SETTINGS, 0, 0, new byte[0])
        .frame(HEADERS, END_STREAM | END_HEADERS, 1, new Frames.Block().indexed(2).indexed(7)
            .add(":authority", "example.org").literal(4, "/a").bytes())
        .bytes();
  }

  private static byte[] responseHead() {
    return new Frames().frame(SETTINGS, 0, 0, new byte[0]).bytes();
  }

  private static byte[] responseHeaders() {
    return new Frames().frame(HEADERS, END_HEADERS, 1, new Frames.Block().indexed(8).bytes()).bytes();
  }

  private static byte[] responseEnd() {
    return new Frames().frame(DATA, END_STREAM, 1, new byte[100]).bytes();
  }

  private static Http2StreamRow only(TcpFeed f) {
    f.finish();
    assertEquals(1, f.http2.size(), f.http2.toString());
    return f.http2.get(0).stream();
  }

  @Test
  void aResponseCapturedBeforeItsRequestStartsAtItsRequest() {
    TcpFeed f = new TcpFeed(8080);
    f.client(T, request());
    f.server(T - 1_000, responseHead());
    f.server(T - 2_000, responseHeaders());
    f.server(T - 3_000, responseEnd());
    Http2StreamRow r = only(f);
    assertEquals(List.of("/a", 200, T, T, 0L, 0L),
        List.of(r.path(), r.statusCode(), r.responseTimeNs(), r.responseEndNs(), r.latencyNs(), r.durationNs()));
  }

  /**
   * The response's end captured a microsecond before its start, and so ahead of it in capture order: the TCP
   * reassembly holds the end, with its own time, until the start fills the bytes before it; the response still
   * ends no earlier than it starts.
   */
  @Test
  void aResponsesEndCapturedBeforeItsStartEndsNoEarlierThanItStarts() {
    TcpFeed f = new TcpFeed(8080);
    f.client(T, request());
    f.server(T + 1_000, responseHead());
    byte[] headers = responseHeaders();
    f.serverAhead(T + 5_000, headers.length, responseEnd());
    f.server(T + 6_000, headers);
    Http2StreamRow r = only(f);
    assertEquals(List.of(200, T + 6_000, T + 6_000, 6_000L, 6_000L),
        List.of(r.statusCode(), r.responseTimeNs(), r.responseEndNs(), r.latencyNs(), r.durationNs()));
  }
}
