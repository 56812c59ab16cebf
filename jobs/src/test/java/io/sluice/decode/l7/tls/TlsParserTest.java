package io.sluice.decode.l7.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsParserTest {
  /** The cipher suites and extensions of the example in the JA4 description (a Chrome hello), GREASE added. */
  static final int[] CIPHERS = {0x1a1a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
    0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};

  static byte[] chromeLikeHello(String sni) {
    return Hello.clientHelloBody(new byte[32], CIPHERS,
        Hello.ext(0x2a2a, new byte[0]),
        Hello.sni(sni),
        Hello.ext(0x0017, new byte[0]),
        Hello.ext(0xff01, new byte[] {0}),
        Hello.ext(0x000a, Hello.vector16(Hello.u16s(0x3a3a, 0x001d, 0x0017, 0x0018))),
        Hello.ext(0x000b, new byte[] {1, 0}),
        Hello.ext(0x0023, new byte[0]),
        Hello.alpn("h2", "http/1.1"),
        Hello.ext(0x0005, new byte[] {1, 0, 0, 0, 0}),
        Hello.ext(0x000d, Hello.vector16(Hello.u16s(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601))),
        Hello.ext(0x0012, new byte[0]),
        Hello.ext(0x0033, Hello.vector16(new byte[0])),
        Hello.ext(0x002d, new byte[] {1, 1}),
        Hello.versions(0x4a4a, 0x0304, 0x0303),
        Hello.ext(0x001b, new byte[] {2, 0, 2}),
        Hello.ext(0x4469, new byte[0]),
        Hello.ext(0x0015, new byte[10]),
        Hello.ext(0x5a5a, new byte[] {0}));
  }

  @Test
  void ja4OfThePublishedExample() {
    byte[] body = chromeLikeHello("example.com");
    TlsClientHello h = TlsHelloParser.clientHello(body, 0, body.length);
    assertEquals("example.com", h.sni());
    assertEquals(List.of("h2", "http/1.1"), h.alpn());
    assertEquals(0x0304, h.maxVersion());
    assertEquals("t13d1516h2_8daaf6152771_e5627efa2ab1", TlsFingerprints.ja4(h));
  }

  @Test
  void ja3LeavesGreaseOut() {
    byte[] body = chromeLikeHello("example.com");
    TlsClientHello h = TlsHelloParser.clientHello(body, 0, body.length);
    String ja3 = TlsFingerprints.ja3String(h);
    assertTrue(ja3.startsWith("771,4865-4866-4867-49195-"), ja3);
    assertTrue(ja3.endsWith(",29-23-24,0"), ja3);
    assertFalse(ja3.contains("6682") || ja3.contains("10794"), "no GREASE values: " + ja3);
    assertEquals(32, TlsFingerprints.ja3(h).length());
  }

  @Test
  void ja4Parts() {
    assertEquals("00", TlsFingerprints.ja4Alpn(""));
    assertEquals("h1", TlsFingerprints.ja4Alpn("http/1.1"));
    assertEquals("h2", TlsFingerprints.ja4Alpn("h2"));
    assertEquals("ab", TlsFingerprints.ja4Alpn("\u00ab\u00cd\u00ab"), "non-alphanumeric: hex of first and last");
    assertEquals("12", TlsFingerprints.ja4Version(0x0303));
  }

  @Test
  void recordsSplitAcrossSegmentsAndMessagesAcrossRecords() {
    byte[] client = Hello.records(22, Hello.message(1, chromeLikeHello("a.example")), 100);
    byte[] sessionId = new byte[32];
    byte[] server = Hello.records(22, Hello.message(2, Hello.serverHelloBody(new byte[32], sessionId, 0x1301,
        Hello.ext(43, Hello.u16s(0x0304)), Hello.ext(41, Hello.u16s(0)))), 30);
    for (int piece = 1; piece <= client.length; piece += 7) {
      List<TlsHandshakeRow> rows = new ArrayList<>();
      TlsConnection c = new TlsConnection(rows::add);
      feed(c, true, client, piece, 10);
      feed(c, false, server, piece, 25);
      c.close(99);
      assertEquals(1, rows.size());
      TlsHandshakeRow r = rows.get(0);
      assertEquals("a.example", r.clientHello().sni());
      assertEquals(0x0304, r.serverHello().version());
      assertEquals(0x1301, r.serverHello().cipherSuite());
      assertTrue(r.resumed(), "TLS 1.3 with pre_shared_key");
      assertEquals(15, r.handshakeNs());
      assertEquals("ok", r.status());
    }
  }

  private static void feed(TlsConnection c, boolean fromClient, byte[] b, int piece, long ts) {
    for (int i = 0; i < b.length; i += piece) {
      c.onBytes(fromClient, b, i, Math.min(piece, b.length - i), ts);
    }
  }

  @Test
  void helloRetryThenServerHelloAndTls12Resumption() {
    byte[] retryRandom = TlsHelloParser.HELLO_RETRY_RANDOM;
    byte[] sid = new byte[32];
    sid[0] = 7;
    byte[] hello = Hello.clientHelloBody(sid, new int[] {0x1301, 0xc02f}, Hello.sni("r.example"),
        Hello.versions(0x0304, 0x0303));
    ByteArrayOutputStream server = new ByteArrayOutputStream();
    server.writeBytes(Hello.records(22, Hello.message(2, Hello.serverHelloBody(retryRandom, sid, 0x1301,
        Hello.ext(43, Hello.u16s(0x0304)))), 1000));
    List<TlsHandshakeRow> rows = new ArrayList<>();
    TlsConnection c = new TlsConnection(rows::add);
    c.onBytes(true, Hello.records(22, Hello.message(1, hello), 1000), 0, hello.length + 9, 1);
    byte[] s = server.toByteArray();
    c.onBytes(false, s, 0, s.length, 2);
    assertTrue(rows.isEmpty(), "a HelloRetryRequest is not the ServerHello");
    byte[] real = Hello.records(22, Hello.message(2, Hello.serverHelloBody(new byte[32], sid, 0xc02f)), 1000);
    c.onBytes(false, real, 0, real.length, 3);
    byte[] ccs = Hello.records(20, new byte[] {1}, 10);
    c.onBytes(false, ccs, 0, ccs.length, 4);
    c.onBytes(true, ccs, 0, ccs.length, 5);
    assertEquals(1, rows.size());
    TlsHandshakeRow r = rows.get(0);
    assertTrue(r.helloRetry());
    assertEquals(0x0303, r.serverHello().version());
    assertTrue(r.resumed(), "TLS 1.2: the server echoed the client's session id");
    assertEquals(2, r.handshakeNs());
  }

  @Test
  void alertInClearFailsTheHandshake() {
    byte[] hello = Hello.records(22, Hello.message(1, chromeLikeHello("x.example")), 1000);
    byte[] alert = Hello.records(21, new byte[] {2, 70}, 10);
    List<TlsHandshakeRow> rows = new ArrayList<>();
    TlsConnection c = new TlsConnection(rows::add);
    c.onBytes(true, hello, 0, hello.length, 1);
    c.onBytes(false, alert, 0, alert.length, 2);
    assertEquals(1, rows.size());
    assertEquals(List.of("failed", 2, 70, true), List.of(rows.get(0).status(), rows.get(0).alertLevel(),
        rows.get(0).alertDescription(), rows.get(0).alertFromServer()));
    assertNull(rows.get(0).serverHello());
  }

  @Test
  void malformedInputIsCountedNotThrown() {
    byte[] body = chromeLikeHello("m.example");
    for (int cut = 0; cut < body.length; cut++) {
      TlsHelloParser.clientHello(body, 0, cut); // must not throw
    }
    assertNull(TlsHelloParser.clientHello(body, 0, 40));
    byte[] garbage = {22, 3, 1, 0, 5, 1, 0, 0, 1, 9};
    TlsConnection c = new TlsConnection(r -> { });
    c.onBytes(true, garbage, 0, garbage.length, 1);
    assertEquals(1, c.malformed());
    byte[] notTls = "GET / HTTP/1.1\r\n".getBytes();
    assertFalse(Tls.looksLikeClientHello(notTls, 0, notTls.length));
    byte[] rec = Hello.records(22, Hello.message(1, body), 1000);
    assertTrue(Tls.looksLikeClientHello(rec, 0, rec.length));
  }
}
