package io.sluice.l7;

import io.sluice.l7.reassembly.TcpStream;
/** One tracked TCP connection: who is the client, each direction's reassembly, and the application on top. */
final class TcpConnection {
  final byte[] client;
  final int clientPort;
  final byte[] server;
  final int serverPort;
  final TcpStream toServer;
  final TcpStream toClient;
  TcpApp app; // replaced once, when a connection opened as HTTP/1 by its port turns out to speak HTTP/2 or TLS
  long lastSeenNs;
  boolean finFromClient;
  boolean finFromServer;

  TcpConnection(byte[] client, int clientPort, byte[] server, int serverPort, TcpApp app, long ns) {
    this(client, clientPort, server, serverPort, app, ns, new TcpStream(), new TcpStream());
  }

  TcpConnection(byte[] client, int clientPort, byte[] server, int serverPort, TcpApp app, long ns, TcpStream toServer,
      TcpStream toClient) {
    this.toServer = toServer;
    this.toClient = toClient;
    this.client = client;
    this.clientPort = clientPort;
    this.server = server;
    this.serverPort = serverPort;
    this.app = app;
    this.lastSeenNs = ns;
  }

  boolean isFromClient(byte[] src, int srcPort) {
    return srcPort == clientPort && java.util.Arrays.equals(src, client);
  }

  int heldBytes() {
    return toServer.heldBytes() + toClient.heldBytes();
  }
}
