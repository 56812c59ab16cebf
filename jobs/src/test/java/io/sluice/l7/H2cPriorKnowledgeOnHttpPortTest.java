package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.l7.http2.Http2Connection;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 with prior knowledge is recognised by its preface on every port, including the HTTP ports where the engine
 * opens the connection at its SYN as HTTP/1 (before, port 80 gave no row at all for such a connection).
 */
class H2cPriorKnowledgeOnHttpPortTest {
  private static final int CLIENT_ISN = 1_000;
  private static final int SERVER_ISN = 900_000;

  @ParameterizedTest
  @ValueSource(ints = {80, 8080, 8081})
  void oneHttp2RowWhateverThePort(int port) {
    java.util.List<HttpRow> rows = new java.util.ArrayList<>();
    L7Engine engine = new L7Engine(L7Config.defaults(), new L7Sink() {
      @Override
      public void dns(DnsRow row) {}

      @Override
      public void http(HttpRow row) {
        rows.add(row);
      }

      @Override
      public void http2(Http2Row row) {
        rows.add(row.asHttpRow());
      }
    });
    byte[] request = new ByteArrayOutputStream() {
      {
        writeBytes(Http2Connection.PREFACE);
        writeBytes(frame(4, 0, 0, new byte[0])); // SETTINGS
        // HEADERS, END_STREAM | END_HEADERS: :method GET, :scheme http, :path /, :authority "a" (static name 1)
        writeBytes(frame(1, 5, 1, new byte[] {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x01, 0x01, 'a'}));
      }
    }.toByteArray();
    byte[] response = new ByteArrayOutputStream() {
      {
        writeBytes(frame(4, 0, 0, new byte[0]));
        writeBytes(frame(1, 5, 1, new byte[] {(byte) 0x88})); // :status 200
      }
    }.toByteArray();
    long t = 1_700_000_000_000_000_000L;
    engine.onFrame(t, 101, segment(false, port, 0x02, CLIENT_ISN, 0, new byte[0]), 40);
    engine.onFrame(t + 1_000, 101, segment(true, port, 0x12, SERVER_ISN, CLIENT_ISN + 1, new byte[0]), 40);
    byte[] req = segment(false, port, 0x18, CLIENT_ISN + 1, SERVER_ISN + 1, request);
    engine.onFrame(t + 2_000, 101, req, req.length);
    byte[] resp = segment(true, port, 0x18, SERVER_ISN + 1, CLIENT_ISN + 1 + request.length, response);
    engine.onFrame(t + 3_000, 101, resp, resp.length);
    engine.finish();

    assertEquals(1, rows.size(), "rows on port " + port + ": " + rows);
    HttpRow row = rows.get(0);
    assertEquals("HTTP/2", row.version());
    assertEquals("GET", row.method());
    assertEquals("/", row.path());
    assertEquals(200, row.statusCode());
    assertEquals(1, row.http2().streamId());
  }

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    return f;
  }

  /** A segment between 10.0.0.1:40000 (client) and 10.0.0.2:{@code port}, either way. */
  private static byte[] segment(boolean fromServer, int port, int flags, long seq, long ack, byte[] payload) {
    byte[] p = fromServer ? Packets.tcp4(port, 40_000, seq, payload) : Packets.tcp4(40_000, port, seq, payload);
    if (fromServer) {
      p[15] = 2;
      p[19] = 1;
    }
    p[28] = (byte) (ack >>> 24);
    p[29] = (byte) (ack >>> 16);
    p[30] = (byte) (ack >>> 8);
    p[31] = (byte) ack;
    p[33] = (byte) flags;
    return p;
  }
}
