package io.sluice.join;

import io.sluice.decode.l7.http2.Http2Connection;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** HTTP/2 on a TCP connection: each direction's bytes to one {@link Http2Connection}, its streams to the sink. */
final class Http2App implements TcpApp {
  private Http2Connection h2;
  private final L7Sink sink;
  private final byte[] client;
  private final int clientPort;
  private final byte[] server;
  private final int serverPort;
  private final StreamConsumer fromClient = consumer0(true);
  private final StreamConsumer fromServer = consumer0(false);

  Http2App(byte[] client, int clientPort, byte[] server, int serverPort, boolean fromStart, L7Sink sink) {
    this.client = client;
    this.clientPort = clientPort;
    this.server = server;
    this.serverPort = serverPort;
    this.sink = sink;
    this.h2 = new Http2Connection(fromStart, this::row);
  }

  private void row(io.sluice.decode.l7.http2.Http2StreamRow s) {
    sink.http2(new Http2Row(client, clientPort, server, serverPort, s));
  }

  private StreamConsumer consumer0(boolean isClient) {
    return new StreamConsumer() {
      @Override
      public void onBytes(byte[] b, int off, int len, long ts) {
        h2.onBytes(isClient, b, off, len, ts);
      }

      @Override
      public void onGap(long missing, long ts) {
        h2.onGap(isClient, missing, ts);
      }

      @Override
      public void onHole(long missing, long ts) { // cut by the snap: for the parser, the same known-length hole
        h2.onGap(isClient, missing, ts);
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
    h2.close(ns);
  }

  void write(DataOutput out) throws IOException {
    h2.write(out);
  }

  void read(DataInput in) throws IOException {
    h2 = Http2Connection.read(in, this::row);
  }
}
