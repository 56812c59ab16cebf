package io.sluice.decode.l7.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * TLS handshakes as the parser reads them, for benches outside this package: TlsBenchmark's Chrome-like ClientHello
 * (16 cipher suites, SNI, ALPN, GREASE) to one of a few names and a TLS 1.3 ServerHello, through {@link TlsConnection}.
 */
public final class BenchHandshakes {
  private static final String[] NAMES = {"api.shop.example.com", "www.example.org", "login.example.com",
      "cdn.example.net", "metrics.internal", "auth.internal"};

  private BenchHandshakes() {}

  /** {@code n} handshakes, one every 10 µs from {@code startNs}, the ServerHello 5 µs after the ClientHello. */
  public static List<TlsHandshakeRow> rows(int n, long startNs) {
    byte[][] clients = new byte[NAMES.length][];
    for (int i = 0; i < NAMES.length; i++) {
      clients[i] = Hello.records(22, Hello.message(1, TlsParserTest.chromeLikeHello(NAMES[i])), 16384);
    }
    byte[] server = Hello.records(22, Hello.message(2, Hello.serverHelloBody(new byte[32], new byte[32], 0x1301,
        Hello.ext(43, Hello.u16s(0x0304)), Hello.ext(51, new byte[36]))), 16384);
    List<TlsHandshakeRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TlsConnection c = new TlsConnection(rows::add);
      long ns = startNs + i * 10_000L;
      byte[] client = clients[i % clients.length];
      c.onBytes(true, client, 0, client.length, ns);
      c.onBytes(false, server, 0, server.length, ns + 5_000);
      c.close(ns + 6_000);
    }
    return rows;
  }
}
