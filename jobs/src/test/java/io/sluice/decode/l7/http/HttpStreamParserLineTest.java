package io.sluice.decode.l7.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.l7.ProblemCounts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The parser's line buffer grows as a line needs it: lines far longer than its first size, arriving in pieces, each
 * piece parsed by a parser read back from the one before's state (as the L7Job's keyed state does), give the same head.
 */
class HttpStreamParserLineTest {
  private final List<String> heads = new ArrayList<>();
  private final HttpListener listener = new HttpListener() {
    @Override
    public void onRequestHead(HttpHead head, long firstByteNs) {
      heads.add(head.method + " " + head.path.length() + " " + head.host + " " + head.userAgent.length()
          + (head.upgradeH2c ? " h2c " + head.http2Settings : ""));
    }

    @Override
    public ResponseBody onResponseHead(HttpHead head, long firstByteNs) {
      return ResponseBody.BY_HEADERS;
    }

    @Override
    public void onMessageEnd(boolean request, long bodyBytes, boolean complete, long ns) {}

    @Override
    public void onLostBytes(boolean request, boolean betweenMessages, long ns) {}
  };

  @Test
  void longLinesInPiecesThroughStateGiveTheWholeHead() throws Exception {
    String uri = "/" + "p".repeat(1_999);
    String agent = "a".repeat(500);
    byte[] request = ("GET " + uri + " HTTP/1.1\r\nHost: example.test\r\nUser-Agent: " + agent + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] state = null;
    for (int at = 0; at < request.length; at += 97) {
      HttpStreamParser parser = new HttpStreamParser(true, listener, new ProblemCounts());
      if (state != null) {
        parser.read(new DataInputStream(new ByteArrayInputStream(state)));
      }
      parser.onBytes(request, at, Math.min(97, request.length - at), at);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      parser.write(new DataOutputStream(bytes));
      state = bytes.toByteArray();
    }
    assertEquals(List.of("GET 2000 example.test 500"), heads);
  }

  /** An h2c upgrade's HTTP2-Settings value is kept on the head, also across the parser's state. */
  @Test
  void http2SettingsOfAnUpgrade() throws Exception {
    byte[] request = ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        + "HTTP2-Settings:  AAEAAAQA \r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    HttpStreamParser first = new HttpStreamParser(true, listener, new ProblemCounts());
    first.onBytes(request, 0, request.length - 2, 0);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    first.write(new DataOutputStream(bytes));
    HttpStreamParser second = new HttpStreamParser(true, listener, new ProblemCounts());
    second.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    second.onBytes(request, request.length - 2, 2, 1);
    assertEquals(List.of("GET 1 h 0 h2c AAEAAAQA"), heads);
  }
}
