package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.l7.bench.BenchPackets;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Capture times that run backward by a few microseconds (on loopback, packets seen on different CPUs): a response
 * captured "before" its request, in the order the capture delivered them. It is still paired with its request, and
 * neither starts before it nor gives a negative latency.
 */
class CaptureTimesBackwardTest {
  static final long T = 1_700_000_000_000_000_000L;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void anHttp1ResponseCapturedBeforeItsRequestIsPairedWithNoNegativeLatency() {
    TcpFeed f = new TcpFeed(80);
    f.client(T, ascii("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"));
    f.server(T - 3_000, ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    f.finish();
    assertEquals(1, f.http.size(), f.http.toString());
    HttpRow r = f.http.get(0);
    assertEquals(List.of("/a", RowStatus.ANSWERED, T, T, 0L),
        List.of(r.path(), r.status(), r.timeNs(), r.responseTimeNs(), r.latencyNs()));
  }

  @Test
  void pipelinedHttp1ResponsesCapturedBeforeTheirRequestsArePairedInOrder() {
    TcpFeed f = new TcpFeed(80);
    f.client(T, ascii("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"));
    f.client(T + 10_000, ascii("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"));
    f.server(T + 20_000, ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    f.server(T + 9_000, ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    f.finish();
    assertEquals(2, f.http.size(), f.http.toString());
    HttpRow r1 = f.http.get(0);
    HttpRow r2 = f.http.get(1);
    assertEquals(List.of("/1", 200, 20_000L), List.of(r1.path(), r1.statusCode(), r1.latencyNs()));
    assertEquals(List.of("/2", 404, T + 20_000, 10_000L),
        List.of(r2.path(), r2.statusCode(), r2.responseTimeNs(), r2.latencyNs()),
        "the second response came after the first, so no earlier than it");
  }

  @Test
  void aDnsResponseOverUdpCapturedBeforeItsQueryIsPairedWithNoNegativeLatency() {
    TcpFeed f = new TcpFeed(53);
    f.datagram(true, BenchPackets.dns(7, "a.example", false), T);
    f.datagram(false, BenchPackets.dns(7, "a.example", true), T - 2_000);
    f.finish();
    assertEquals(1, f.dns.size(), f.dns.toString());
    DnsRow r = f.dns.get(0);
    assertEquals(List.of(RowStatus.ANSWERED, T, T, 0L),
        List.of(r.status(), r.timeNs(), r.responseTimeNs(), r.latencyNs()));
  }

  /**
   * Only a few microseconds count as the capture's jitter: a packet timed further back than
   * {@link io.sluice.decode.packet.ArrivalOrder#BACKWARD_NS} behind one before it keeps its own time.
   */
  @Test
  void aResponseTimedFurtherBackKeepsItsOwnTime() {
    TcpFeed f = new TcpFeed(53);
    f.datagram(true, BenchPackets.dns(7, "a.example", false), T);
    f.datagram(true, BenchPackets.dns(8, "b.example", false), T + 5_000_000);
    f.datagram(false, BenchPackets.dns(7, "a.example", true), T + 1_000_000);
    f.finish();
    DnsRow r = f.dns.stream().filter(d -> d.id() == 7).findFirst().orElseThrow();
    assertEquals(List.of(RowStatus.ANSWERED, T + 1_000_000, 1_000_000L), List.of(r.status(), r.responseTimeNs(),
        r.latencyNs()));
  }

  @Test
  void aDnsResponseOverTcpCapturedBeforeItsQueryIsPairedWithNoNegativeLatency() {
    TcpFeed f = new TcpFeed(53);
    f.client(T, framed(BenchPackets.dns(9, "b.example", false)));
    f.server(T - 2_000, framed(BenchPackets.dns(9, "b.example", true)));
    f.finish();
    assertEquals(1, f.dns.size(), f.dns.toString());
    DnsRow r = f.dns.get(0);
    assertEquals(List.of(RowStatus.ANSWERED, "tcp", T, 0L), List.of(r.status(), r.transport(), r.responseTimeNs(),
        r.latencyNs()));
  }

  /** A DNS message over TCP: its two-byte length first. */
  private static byte[] framed(byte[] m) {
    byte[] b = new byte[m.length + 2];
    b[0] = (byte) (m.length >>> 8);
    b[1] = (byte) m.length;
    System.arraycopy(m, 0, b, 2, m.length);
    return b;
  }
}
