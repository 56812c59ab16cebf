package io.sluice.l7;

import io.sluice.decode.packet.PacketParser;
import io.sluice.l7.bench.BenchPackets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: one conversation's packets (client 10.0.0.2:40000, the server on a chosen port) fed to an
 * {@link L7Engine} at chosen capture times and in a chosen order; its rows collected.
 */
public final class TcpFeed implements L7Sink {
  private static final int CLIENT = 0x0A000002;
  private static final int SERVER = 0x0A000001;
  private static final int CLIENT_PORT = 40000;

  public final List<DnsRow> dns = new ArrayList<>();
  public final List<HttpRow> http = new ArrayList<>();
  public final List<Http2Row> http2 = new ArrayList<>();
  public final List<TlsRow> tls = new ArrayList<>();
  private final L7Engine engine = new L7Engine(L7Config.defaults(), this);
  private final int serverPort;
  /** The next data sequence number of each side. */
  private long clientSeq = 1_000;
  private long serverSeq = 900_000;

  public TcpFeed(int serverPort) {
    this.serverPort = serverPort;
  }

  /** The client's next bytes in one segment, captured at {@code ns}. */
  public void client(long ns, byte[] data) {
    segment(true, clientSeq, data, ns);
    clientSeq += data.length;
  }

  /** The server's next bytes in one segment, captured at {@code ns}. */
  public void server(long ns, byte[] data) {
    segment(false, serverSeq, data, ns);
    serverSeq += data.length;
  }

  /**
   * The server's bytes {@code ahead} bytes after its next ones, captured at {@code ns} (out of order: the bytes
   * between come later, by {@link #server}); the server's next bytes are then those after these.
   */
  public void serverAhead(long ns, int ahead, byte[] data) {
    segment(false, serverSeq + ahead, data, ns);
  }

  /** A segment; it acknowledges everything the peer sent so far. */
  public void segment(boolean fromClient, long seq, byte[] data, long ns) {
    byte[] p = fromClient ? BenchPackets.tcp4(CLIENT, SERVER, CLIENT_PORT, serverPort, 0x18, data)
        : BenchPackets.tcp4(SERVER, CLIENT, serverPort, CLIENT_PORT, 0x18, data);
    BenchPackets.setSeqAck(p, seq, fromClient ? serverSeq : clientSeq);
    engine.onFrame(ns, PacketParser.LINKTYPE_RAW, p, p.length);
  }

  /** A UDP datagram of the conversation, from the client or from the server. */
  public void datagram(boolean fromClient, byte[] payload, long ns) {
    byte[] p = fromClient ? BenchPackets.udp4(CLIENT, SERVER, CLIENT_PORT, serverPort, payload)
        : BenchPackets.udp4(SERVER, CLIENT, serverPort, CLIENT_PORT, payload);
    engine.onFrame(ns, PacketParser.LINKTYPE_RAW, p, p.length);
  }

  /** The end of input: everything pending comes out. */
  public void finish() {
    engine.finish();
  }

  @Override
  public void dns(DnsRow row) {
    dns.add(row);
  }

  @Override
  public void http(HttpRow row) {
    http.add(row);
  }

  @Override
  public void http2(Http2Row row) {
    http2.add(row);
  }

  @Override
  public void tls(TlsRow row) {
    tls.add(row);
  }
}
