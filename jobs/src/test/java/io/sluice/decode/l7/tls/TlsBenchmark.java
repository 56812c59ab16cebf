package io.sluice.decode.l7.tls;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * TLS handshakes through {@link TlsConnection}: a Chrome-like ClientHello record (16 cipher suites, 18 extensions,
 * SNI, ALPN, GREASE) and a TLS 1.3 ServerHello record, parsed into a row. One op = one handshake ({@code
 * handshake}); the fingerprints, computed when a row is written, are measured apart ({@code ja3}, {@code ja4}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TlsBenchmark {
  private byte[] client;
  private byte[] server;
  private TlsClientHello hello;
  private long ns;

  @Setup
  public void setUp() {
    client = Hello.records(22, Hello.message(1, TlsParserTest.chromeLikeHello("api.shop.example.com")), 16384);
    server = Hello.records(22, Hello.message(2, Hello.serverHelloBody(new byte[32], new byte[32], 0x1301,
        Hello.ext(43, Hello.u16s(0x0304)), Hello.ext(51, new byte[36]))), 16384);
    byte[] body = TlsParserTest.chromeLikeHello("api.shop.example.com");
    hello = TlsHelloParser.clientHello(body, 0, body.length);
  }

  @Benchmark
  public void handshake(Blackhole bh) {
    TlsConnection c = new TlsConnection(bh::consume);
    ns += 10_000;
    c.onBytes(true, client, 0, client.length, ns);
    c.onBytes(false, server, 0, server.length, ns + 5_000);
  }

  @Benchmark
  public String ja3() {
    return TlsFingerprints.ja3(hello);
  }

  @Benchmark
  public String ja4() {
    return TlsFingerprints.ja4(hello);
  }
}
