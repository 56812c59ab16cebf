package io.sluice.l7;

import io.sluice.l7.reassembly.StreamConsumer;
import io.sluice.decode.l7.ConnectionParser;
import java.io.DataOutput;
import java.io.IOException;

/** An application whose parser takes both directions of the connection (HTTP/2, TLS); its rows go to the sink. */
abstract class ParserApp implements TcpApp {
  final byte[] client;
  final int clientPort;
  final byte[] server;
  final int serverPort;
  final L7Sink sink;
  ConnectionParser parser;
  private final StreamConsumer fromClient = direction(true);
  private final StreamConsumer fromServer = direction(false);

  ParserApp(byte[] client, int clientPort, byte[] server, int serverPort, L7Sink sink) {
    this.client = client;
    this.clientPort = clientPort;
    this.server = server;
    this.serverPort = serverPort;
    this.sink = sink;
  }

  private StreamConsumer direction(boolean isClient) {
    return new StreamConsumer() {
      @Override
      public void onBytes(byte[] b, int off, int len, long ts) {
        parser.onBytes(isClient, b, off, len, ts);
      }

      @Override
      public void onGap(long missing, long ts) {
        parser.onGap(isClient, missing, ts);
      }

      @Override
      public void onHole(long missing, long ts) { // cut by the snap: for the parser, the same known-length hole
        parser.onGap(isClient, missing, ts);
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
    parser.close(ns);
  }

  void write(DataOutput out) throws IOException {
    parser.write(out);
  }
}
