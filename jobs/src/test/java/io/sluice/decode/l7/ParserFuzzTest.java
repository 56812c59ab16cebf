package io.sluice.decode.l7;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.l7.http2.Http2Connection;
import io.sluice.decode.l7.tls.TlsConnection;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Corrupted, cut and holed input never throws out of the HTTP/2 and TLS parsers: it is counted and skipped. */
class ParserFuzzTest {
  @Test
  void http2SurvivesCorruption() {
    byte[] client = io.sluice.decode.l7.http2.FuzzInputs.client();
    byte[] server = io.sluice.decode.l7.http2.FuzzInputs.server();
    Random r = new Random(17);
    int rows = 0;
    for (int round = 0; round < 3000; round++) {
      int[] count = new int[1];
      Http2Connection c = new Http2Connection(r.nextBoolean(), row -> count[0]++);
      feed(r, client, (b, off, len) -> c.onBytes(true, b, off, len, 1), n -> c.onGap(true, n, 1));
      feed(r, server, (b, off, len) -> c.onBytes(false, b, off, len, 2), n -> c.onGap(false, n, 2));
      c.close(3);
      assertTrue(c.openStreams() == 0);
      rows += count[0];
    }
    assertTrue(rows > 0, "some rounds still give rows");
  }

  @Test
  void tlsSurvivesCorruption() {
    byte[] client = io.sluice.decode.l7.tls.FuzzInputs.client();
    byte[] server = io.sluice.decode.l7.tls.FuzzInputs.server();
    Random r = new Random(17);
    for (int round = 0; round < 3000; round++) {
      TlsConnection c = new TlsConnection(row -> { });
      feed(r, client, (b, off, len) -> c.onBytes(true, b, off, len, 1), n -> c.onGap(true, n, 1));
      feed(r, server, (b, off, len) -> c.onBytes(false, b, off, len, 2), n -> c.onGap(false, n, 2));
      c.close(3);
    }
  }

  interface Bytes {
    void accept(byte[] b, int off, int len);
  }

  interface Gap {
    void accept(long n);
  }

  private static void feed(Random r, byte[] original, Bytes bytes, Gap gap) {
    byte[] b = original.clone();
    int flips = r.nextInt(4);
    for (int i = 0; i < flips; i++) {
      b[r.nextInt(b.length)] = (byte) r.nextInt(256);
    }
    int end = r.nextInt(5) == 0 ? r.nextInt(b.length) : b.length;
    for (int i = 0; i < end; ) {
      int n = Math.min(end - i, 1 + r.nextInt(64));
      if (r.nextInt(20) == 0) {
        gap.accept(n);
      } else {
        bytes.accept(b, i, n);
      }
      i += n;
    }
  }
}
