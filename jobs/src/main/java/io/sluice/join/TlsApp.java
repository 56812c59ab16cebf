package io.sluice.join;

import io.sluice.decode.l7.tls.TlsConnection;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** TLS on a TCP connection: each direction's bytes to one {@link TlsConnection}, its handshake to the sink. */
final class TlsApp implements TcpApp {
  private TlsConnection tls;
  private final L7Sink sink;
  private final byte[] client;
  private final int clientPort;
  private final byte[] server;
  private final int serverPort;
  private final StreamConsumer fromClient = consumer0(true);
  private final StreamConsumer fromServer = consumer0(false);

  TlsApp(byte[] client, int clientPort, byte[] server, int serverPort, L7Sink sink) {
    this.client = client;
    this.clientPort = clientPort;
    this.server = server;
    this.serverPort = serverPort;
    this.sink = sink;
    this.tls = new TlsConnection(this::row);
  }

  private void row(io.sluice.decode.l7.tls.TlsHandshakeRow s) {
    sink.tls(new TlsRow(client, clientPort, server, serverPort, s));
  }

  private StreamConsumer consumer0(boolean isClient) {
    return new StreamConsumer() {
      @Override
      public void onBytes(byte[] b, int off, int len, long ts) {
        tls.onBytes(isClient, b, off, len, ts);
      }

      @Override
      public void onGap(long missing, long ts) {
        tls.onGap(isClient, missing, ts);
      }

      @Override
      public void onHole(long missing, long ts) { // cut by the snap: for the parser, the same known-length hole
        tls.onGap(isClient, missing, ts);
      }
    };
  }

  @Override
  public StreamConsumer consumer(boolean isClient) {
    return isClient ? fromClient : fromServer;
  }

  @Override
  public void advanceWatermark(long watermarkNs) {}

  @Override
  public void onClose(long ns) {
    tls.close(ns);
  }

  void write(DataOutput out) throws IOException {
    tls.write(out);
  }

  void read(DataInput in) throws IOException {
    tls = TlsConnection.read(in, this::row);
  }
}
