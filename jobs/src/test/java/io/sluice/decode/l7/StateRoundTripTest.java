package io.sluice.decode.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.l7.http2.FuzzInputs;
import io.sluice.decode.l7.http2.Http2Connection;
import io.sluice.decode.l7.http2.Http2StreamRow;
import io.sluice.decode.l7.tls.TlsConnection;
import io.sluice.decode.l7.tls.TlsFingerprints;
import io.sluice.decode.l7.tls.TlsHandshakeRow;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The parsers' binary state (what the L7Job keeps in keyed state) written and read back at any byte of either
 * direction: the connection goes on to give the same rows as one that was never stopped.
 */
class StateRoundTripTest {
  /** Reads a parser's written state back, its rows going to {@code rows}. */
  interface Reader<R> {
    ConnectionParser read(DataInputStream in, Consumer<R> rows) throws IOException;
  }

  /**
   * Feeds both directions straight through, then again with the state written and read back after every
   * {@code step}th byte; each run's rows, seen through {@code view}, must be the straight run's.
   */
  private static <R> List<R> atEveryByte(Function<Consumer<R>, ConnectionParser> make, Reader<R> reader, byte[] client,
      byte[] server, int step, Function<List<R>, Object> view) throws IOException {
    List<R> expected = new ArrayList<>();
    ConnectionParser straight = make.apply(expected::add);
    straight.onBytes(true, client, 0, client.length, 1);
    straight.onBytes(false, server, 0, server.length, 2);
    straight.close(3);
    for (int k = 0; k <= client.length + server.length; k += step) {
      List<R> rows = new ArrayList<>();
      ConnectionParser c = make.apply(rows::add);
      int kc = Math.min(k, client.length);
      c.onBytes(true, client, 0, kc, 1);
      int ks = Math.max(0, k - client.length);
      c.onBytes(false, server, 0, ks, 2);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      c.write(new DataOutputStream(bytes));
      ConnectionParser back = reader.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), rows::add);
      back.onBytes(true, client, kc, client.length - kc, 1);
      back.onBytes(false, server, ks, server.length - ks, 2);
      back.close(3);
      assertEquals(view.apply(expected), view.apply(rows), "state written after byte " + k);
    }
    return expected;
  }

  @Test
  void http2AtEveryByte() throws IOException {
    atEveryByte(rows -> new Http2Connection(true, rows::accept), (in, rows) -> Http2Connection.read(in, rows::accept),
        FuzzInputs.client(), FuzzInputs.server(), 3, all -> all);
  }

  /**
   * Joined mid-connection: each side's first chunk skipped and the state written and read back while both still
   * look for a frame start, then the sides synced on their first frame and written at every byte after.
   */
  @Test
  void http2MidConnectionAtEveryByte() throws IOException {
    byte[] withPreface = FuzzInputs.client();
    byte[] client = java.util.Arrays.copyOfRange(withPreface, Http2Connection.PREFACE.length, withPreface.length);
    byte[] server = FuzzInputs.server();
    int c1 = 9 + (((client[0] & 0xff) << 16) | ((client[1] & 0xff) << 8) | (client[2] & 0xff));
    int s1 = 9 + (((server[0] & 0xff) << 16) | ((server[1] & 0xff) << 8) | (server[2] & 0xff));
    byte[] tail = {0, 0, 1, 2, 3}; // the end of a frame from before the start
    List<Http2StreamRow> expected = atEveryByte(rows -> {
      Http2Connection c = new Http2Connection(false, rows::accept);
      c.onBytes(true, tail, 0, tail.length, 0);
      c.onBytes(false, tail, 0, tail.length, 0);
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        c.write(new DataOutputStream(bytes));
        c = Http2Connection.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), rows::accept);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      c.onBytes(true, tail, 0, tail.length, 0); // still looking: skipped too
      c.onBytes(false, tail, 0, tail.length, 0);
      c.onBytes(true, client, 0, c1, 1);
      c.onBytes(false, server, 0, s1, 2);
      return c;
    }, (in, rows) -> Http2Connection.read(in, rows::accept), java.util.Arrays.copyOfRange(client, c1, client.length),
        java.util.Arrays.copyOfRange(server, s1, server.length), 3, all -> all);
    assertTrue(!expected.isEmpty() && expected.stream().anyMatch(r -> !r.incomplete()), expected.toString());
  }

  @Test
  void tlsAtEveryByte() throws IOException {
    List<TlsHandshakeRow> expected = atEveryByte(rows -> new TlsConnection(rows::accept),
        (in, rows) -> TlsConnection.read(in, rows::accept), io.sluice.decode.l7.tls.FuzzInputs.client(),
        io.sluice.decode.l7.tls.FuzzInputs.server(), 1, StateRoundTripTest::tlsView);
    assertEquals(1, expected.size());
  }

  /** A handshake row's fields (the parsed hellos have no equals). */
  private static Object tlsView(List<TlsHandshakeRow> rows) {
    List<Object> out = new ArrayList<>();
    for (TlsHandshakeRow r : rows) {
      out.add(List.of(r.clientHelloNs(), r.serverHelloNs(), r.clientHello().sni(), TlsFingerprints.ja4(r.clientHello()),
          r.serverHello().cipherSuite(), r.serverHello().alpn(), r.alertDescription(), r.status(), r.resumed()));
    }
    return out;
  }
}
