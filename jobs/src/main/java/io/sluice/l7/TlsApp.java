package io.sluice.l7;

import io.sluice.decode.l7.tls.TlsConnection;
import io.sluice.decode.l7.tls.TlsHandshakeRow;
import java.io.DataInput;
import java.io.IOException;

/** TLS on a TCP connection: both directions to one {@link TlsConnection}, its handshake to the sink. */
final class TlsApp extends ParserApp {
  TlsApp(byte[] client, int clientPort, byte[] server, int serverPort, L7Sink sink) {
    super(client, clientPort, server, serverPort, sink);
    parser = new TlsConnection(this::row);
  }

  private void row(TlsHandshakeRow s) {
    sink.tls(new TlsRow(client, clientPort, server, serverPort, s));
  }

  void read(DataInput in) throws IOException {
    parser = TlsConnection.read(in, this::row);
  }
}
