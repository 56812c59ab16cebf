package io.sluice.decode.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.api.Test;

/**
 * The parsers' binary state (what the L7Job keeps in keyed state) written and read back at any byte of either
 * direction: the connection goes on to give the same rows as one that was never stopped.
 */
class StateRoundTripTest {
  @Test
  void http2AtEveryByte() throws IOException {
    byte[] client = FuzzInputs.client();
    byte[] server = FuzzInputs.server();
    List<Http2StreamRow> expected = new ArrayList<>();
    Http2Connection straight = new Http2Connection(true, expected::add);
    straight.onBytes(true, client, 0, client.length, 1);
    straight.onBytes(false, server, 0, server.length, 2);
    straight.close(3);
    for (int k = 0; k <= client.length + server.length; k += 3) {
      List<Http2StreamRow> rows = new ArrayList<>();
      Http2Connection c = new Http2Connection(true, rows::add);
      int kc = Math.min(k, client.length);
      c.onBytes(true, client, 0, kc, 1);
      int ks = Math.max(0, k - client.length);
      c.onBytes(false, server, 0, ks, 2);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      c.write(new DataOutputStream(bytes));
      Http2Connection back = Http2Connection.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
          rows::add);
      back.onBytes(true, client, kc, client.length - kc, 1);
      back.onBytes(false, server, ks, server.length - ks, 2);
      back.close(3);
      assertEquals(expected, rows, "state written after byte " + k);
    }
  }

  @Test
  void tlsAtEveryByte() throws IOException {
    byte[] client = io.sluice.decode.l7.tls.FuzzInputs.client();
    byte[] server = io.sluice.decode.l7.tls.FuzzInputs.server();
    List<TlsHandshakeRow> expected = new ArrayList<>();
    TlsConnection straight = new TlsConnection(expected::add);
    straight.onBytes(true, client, 0, client.length, 1);
    straight.onBytes(false, server, 0, server.length, 2);
    straight.close(3);
    assertEquals(1, expected.size());
    for (int k = 0; k <= client.length + server.length; k++) {
      List<TlsHandshakeRow> rows = new ArrayList<>();
      TlsConnection c = new TlsConnection(rows::add);
      int kc = Math.min(k, client.length);
      c.onBytes(true, client, 0, kc, 1);
      int ks = Math.max(0, k - client.length);
      c.onBytes(false, server, 0, ks, 2);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      c.write(new DataOutputStream(bytes));
      TlsConnection back = TlsConnection.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())),
          rows::add);
      back.onBytes(true, client, kc, client.length - kc, 1);
      back.onBytes(false, server, ks, server.length - ks, 2);
      back.close(3);
      assertEquals(1, rows.size(), "after byte " + k);
      TlsHandshakeRow e = expected.get(0);
      TlsHandshakeRow r = rows.get(0);
      assertEquals(List.of(e.clientHelloNs(), e.serverHelloNs(), e.clientHello().sni(),
          TlsFingerprints.ja4(e.clientHello()), e.serverHello().cipherSuite(), e.serverHello().alpn(),
          e.alertDescription(), e.status(), e.resumed()),
          List.of(r.clientHelloNs(), r.serverHelloNs(), r.clientHello().sni(), TlsFingerprints.ja4(r.clientHello()),
              r.serverHello().cipherSuite(), r.serverHello().alpn(), r.alertDescription(), r.status(), r.resumed()),
          "after byte " + k);
    }
  }
}
