package io.sluice.decode.l7.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.l7.TcpFeed;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A TLS handshake through the whole L7 path when capture times run backward by a few microseconds: the ServerHello
 * captured before the ClientHello it answers still gives a handshake time of at least 0.
 */
class TlsCaptureTimesTest {
  static final long T = 1_700_000_000_000_000_000L;

  @Test
  void aServerHelloCapturedBeforeItsClientHelloGivesNoNegativeHandshakeTime() {
    byte[] sessionId = new byte[32];
    TcpFeed f = new TcpFeed(443);
    f.client(T, Hello.records(22, Hello.message(1, TlsParserTest.chromeLikeHello("a.example")), 16_384));
    f.server(T - 2_000, Hello.records(22, Hello.message(2, Hello.serverHelloBody(new byte[32], sessionId, 0x1301,
        Hello.ext(43, Hello.u16s(0x0304)))), 16_384));
    f.finish();
    assertEquals(1, f.tls.size(), f.tls.toString());
    TlsHandshakeRow r = f.tls.get(0).handshake();
    assertEquals(List.of("a.example", T, T, 0L),
        List.of(r.clientHello().sni(), r.clientHelloNs(), r.serverHelloNs(), r.handshakeNs()));
  }
}
