package io.sluice.l7;

import io.sluice.decode.l7.http2.Http2Connection;
import io.sluice.decode.l7.http2.Http2StreamRow;
import java.io.DataInput;
import java.io.IOException;

/** HTTP/2 on a TCP connection: both directions to one {@link Http2Connection}, its streams to the sink. */
final class Http2App extends ParserApp {
  Http2App(byte[] client, int clientPort, byte[] server, int serverPort, boolean fromStart, L7Sink sink) {
    super(client, clientPort, server, serverPort, sink);
    parser = new Http2Connection(fromStart, this::row);
  }

  private void row(Http2StreamRow s) {
    sink.http2(new Http2Row(client, clientPort, server, serverPort, s));
  }

  void read(DataInput in) throws IOException {
    parser = Http2Connection.read(in, this::row);
  }
}
