package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.dns.DnsMessage;
import io.sluice.decode.l7.dns.DnsParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the L7 parsers make of bytes the capture cut (holes of known length), message by message. */
class SnapHolesTest {
  private final L7Summary summary = new L7Summary();
  private final CollectingSink sink = new CollectingSink();
  private final HttpExchangeJoin http = new HttpExchangeJoin(new byte[16], 40000, new byte[16], 80, 120_000_000_000L,
      summary, sink);

  private void client(String s, long ns) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    http.consumer(true).onBytes(b, 0, b.length, ns);
  }

  private void server(String s, long ns) {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    http.consumer(false).onBytes(b, 0, b.length, ns);
  }

  private void serverHole(long n, long ns) {
    http.consumer(false).onHole(n, ns);
  }

  @Test
  void holesInsideBodiesKeepTheFramingLengthAndChunks() {
    client("GET /a HTTP/1.1\r\nHost: h\r\n\r\n", 1000);
    // Content-Length 3000: 100 body bytes captured with the head, the rest in holes of two segments.
    server("HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + "x".repeat(100), 2000);
    serverHole(1348, 2000);
    server("y".repeat(200), 2100);
    serverHole(1352, 2100);
    client("GET /b HTTP/1.1\r\n\r\n", 3000);
    // Chunked, each chunk size line at the start of a segment, the chunk data cut after 10 bytes.
    server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + "z".repeat(10), 4000);
    serverHole(990, 4000);
    server("\r\n7d0\r\n" + "z".repeat(10), 4100);
    serverHole(1990, 4100);
    server("\r\n0\r\n\r\n", 4200);

    assertEquals(List.of("/a 200 3000 false", "/b 200 3000 false"), rows());
    assertEquals(0, summary.problems.total(), "no framing lost: " + summary.problems.nonZero());
  }

  @Test
  void aHeadLongerThanTheSnapKeepsItsStartLineAndCapturedHeadersAndTheNextExchangePairs() {
    client("GET /long HTTP/1.1\r\nHost: example.org\r\nCookie: aaaa", 1000);
    http.consumer(true).onHole(3000, 1000);
    server("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nSet-Cookie: bbb", 2000);
    serverHole(5000, 2000);
    // A hole hid the end of the header block and so the body: the next start line resynchronises.
    server("more body of the 404", 2100);
    serverHole(1000, 2100);
    client("GET /next HTTP/1.1\r\n\r\n", 3000);
    server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 4000);

    assertEquals(List.of("/long 404 0 true", "/next 200 2 false"), rows());
    HttpRow first = sink.http.get(0);
    assertEquals("example.org", first.host());
    assertEquals("text/html", first.contentType());
    assertEquals(1000, first.latencyNs());
    assertTrue(summary.problems.get(L7Problem.HTTP_FRAMING_CUT) > 0);
  }

  @Test
  void aResponseWhoseStartLineFellInAHoleIsLostAndTheFifoStaysInStep() {
    client("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n", 1000);
    // Response 1 ends in a hole that also holds response 2's head; response 3 starts a segment.
    server("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n" + "x".repeat(50), 2000);
    serverHole(1000, 2000);
    server("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 3000);
    assertEquals(List.of("/1 200 500 false", "/2 0 0 false", "/3 201 0 false"), rows());
    assertEquals(RowStatus.LOST, sink.http.get(1).status());
  }

  private List<String> rows() {
    return sink.http.stream().map(r -> r.path() + " " + r.statusCode() + " " + r.responseBodySize() + " "
        + r.incomplete()).toList();
  }

  @Test
  void aDnsResponseCutByTheCaptureKeepsItsHeaderQuestionAndTheAnswersCaptured() {
    byte[] response = TcpReassemblyTest.query(0x1234, "example.org");
    // Make it a NOERROR response with three A answers (compressed owner names), then cut it inside the third.
    byte[] answers = new byte[3 * 16];
    for (int i = 0; i < 3; i++) {
      byte[] rr = {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, (byte) i};
      System.arraycopy(rr, 0, answers, 16 * i, 16);
    }
    byte[] whole = new byte[response.length + answers.length];
    System.arraycopy(response, 0, whole, 0, response.length);
    System.arraycopy(answers, 0, whole, response.length, answers.length);
    whole[2] = (byte) 0x81;
    whole[3] = (byte) 0x83; // NXDOMAIN, to see the rcode survive
    whole[7] = 3;
    DnsParser parser = new DnsParser();
    DnsMessage m = new DnsMessage();
    int captured = whole.length - 8;
    assertNull(parser.parse(whole, 0, captured, whole.length, m));
    assertTrue(m.cut);
    assertEquals(0x1234, m.id);
    assertEquals(3, m.rcode());
    assertEquals(3, m.anCount);
    assertEquals("example.org", m.qname);
    assertEquals(List.of("example.org A 10.0.0.0", "example.org A 10.0.0.1"), m.answers);
    assertEquals(whole.length, m.size);
    // The same bytes as a whole message are malformed: counted, not used.
    assertEquals(L7Problem.DNS_TRUNCATED_MESSAGE, parser.parse(whole, 0, captured, captured, m));
    assertFalse(m.cut);
    // A header the capture cut cannot be used.
    assertEquals(L7Problem.DNS_HEADER_CUT, parser.parse(whole, 0, 10, whole.length, m));
  }
}
