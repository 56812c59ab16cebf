package io.sluice.l7;

import io.sluice.decode.l7.dns.DnsDetector;
import io.sluice.l7.reassembly.TcpStream;
import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.http.HttpDetector;
import io.sluice.decode.l7.http2.Http2Connection;
import io.sluice.decode.l7.tls.Tls;
import io.sluice.decode.packet.ArrivalOrder;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The L7 state of one unordered address/port pair as one node saw it: its DNS queries awaiting an answer (over
 * UDP and TCP) and its TCP connection, if that carries DNS, HTTP/1.x, HTTP/2 (from its preface, or joined
 * mid-connection by its frames) or TLS. The offline engine keeps one per pair in a
 * map; the L7Job keeps its binary form ({@link #write}) in Flink keyed state, so both run this same code.
 *
 * <p>Time: a deadline (query or request timeout, idle connection) at D fires after every packet of the pair
 * captured at or before D and before the first one captured after it, and otherwise once event time passes D
 * ({@link #advanceTo}). Both depend only on the pair's own packets, so a replay and live capture, and the offline
 * engine and the Flink job, give the same rows.
 */
public final class Conversation {
  private final L7Context cx;
  private final DnsJoin dns;
  private TcpConnection tcp;
  /** The latest capture time seen on this pair. */
  private long clockNs = Long.MIN_VALUE;

  public Conversation(L7Context cx) {
    this.cx = cx;
    this.dns = new DnsJoin(cx.config.dnsTimeoutNs(), cx.config.maxPendingDns(), cx.summary, cx.sink, cx.dnsPending);
  }

  /** True when UDP {@code h} is worth keying at all: DNS by port or by content. */
  public static boolean isDnsDatagram(PacketHeader h, byte[] b, L7Config config) {
    return config.dnsPorts().contains(h.srcPort) || config.dnsPorts().contains(h.dstPort)
        || DnsDetector.looksLikeDns(b, h.payloadOffset, h.payloadLength);
  }

  /** One unfragmented UDP or TCP packet of this pair ({@code h} describes {@code b}), at capture time {@code ns}. */
  public void onPacket(PacketHeader h, byte[] b, long ns) {
    onPacket(h, b, ns, false);
  }

  /**
   * One UDP or TCP packet of this pair, or a datagram reassembled from IP fragments ({@code reassembled}: timed by its
   * first fragment, its time is its own). A packet timed back by at most {@link ArrivalOrder#BACKWARD_NS} before one
   * the pair already had takes that one's time: capture times can run backward by a few microseconds (on loopback,
   * packets seen on different CPUs), and a response is not before the request it came after. So every parser of the
   * pair sees packet times that do not go back (DNS over UDP too: the pair is one conversation). Within a TCP
   * direction, bytes the reassembly held out of order keep their own segment's time, as tshark times a message by
   * the segment that carried it; a parser whose message spans segments sees to its own order
   * ({@code Http2Connection}: a response does not end before it starts).
   */
  public void onPacket(PacketHeader h, byte[] b, long ns, boolean reassembled) {
    if (!reassembled) {
      ns = ArrivalOrder.time(ns, clockNs);
    }
    if (ns > clockNs) {
      if (clockNs != Long.MIN_VALUE) {
        advanceTo(ns - 1);
      }
      clockNs = ns;
    }
    if (h.protocol == PacketParser.PROTO_UDP) {
      if (isDnsDatagram(h, b, cx.config)) {
        onDnsMessage(b, h.payloadOffset, h.payloadLength, wirePayloadLength(h), h.srcAddr, h.srcPort, h.dstAddr,
            h.dstPort, false, ns);
      }
    } else if (h.protocol == PacketParser.PROTO_TCP) {
      onTcp(h, b, ns);
    }
  }

  /**
   * The payload's length on the wire, from the UDP or IP header: more than {@link PacketHeader#payloadLength} when
   * the capture cut the packet (the loader's snap length). A header that gives no length (a GSO packet's IP length
   * may be 0) or an impossible one counts as what was captured.
   */
  public static int wirePayloadLength(PacketHeader h) {
    int wire;
    if (h.protocol == PacketParser.PROTO_UDP) {
      wire = h.udpLength - 8;
    } else {
      wire = h.ipTotalLength == 0 ? 0 : h.ipOffset + h.ipTotalLength - h.payloadOffset;
    }
    return Math.max(wire, h.payloadLength);
  }

  /** Event time has reached {@code ns}: fire the timeouts due and close the connection if idle. */
  public void advanceTo(long ns) {
    dns.advanceWatermark(ns);
    if (tcp != null) {
      if (tcp.lastSeenNs <= ns - cx.config.tcpIdleNs()) {
        close(ns);
      } else {
        tcp.app.advanceWatermark(ns);
      }
    }
  }

  /** End of input: close the connection and time out everything pending. */
  public void finish() {
    if (tcp != null) {
      close(clockNs);
    }
    dns.flush();
  }

  /** The earliest time at which {@link #advanceTo} has something to do; Long.MAX_VALUE when nothing. */
  public long nextDeadline() {
    long next = dns.nextDeadline();
    if (tcp != null) {
      next = Math.min(next, tcp.lastSeenNs + cx.config.tcpIdleNs());
      if (tcp.app instanceof HttpExchangeJoin http) {
        next = Math.min(next, http.nextDeadline());
      }
    }
    return next;
  }

  /** Nothing pending and no connection: the state can be dropped. */
  public boolean isEmpty() {
    return tcp == null && dns.pendingCount() == 0;
  }

  public boolean hasConnection() {
    return tcp != null;
  }

  private void onDnsMessage(byte[] b, int off, int len, int wire, byte[] src, int srcPort, byte[] dst, int dstPort,
      boolean overTcp, long ns) {
    L7Problem problem = cx.dnsParser.parse(b, off, len, wire, cx.dnsMessage);
    if (problem != null) {
      cx.summary.problems.add(problem);
      return;
    }
    dns.onMessage(cx.dnsMessage, src, srcPort, dst, dstPort, overTcp, ns);
  }

  private void onTcp(PacketHeader h, byte[] b, long ns) {
    TcpConnection c = tcp;
    boolean syn = (h.tcpFlags & 0x02) != 0;
    boolean ack = (h.tcpFlags & 0x10) != 0;
    boolean fin = (h.tcpFlags & 0x01) != 0;
    boolean rst = (h.tcpFlags & 0x04) != 0;
    if (c == null) {
      if (rst || (h.payloadLength == 0 && !syn)) {
        return;
      }
      c = open(h, b, syn, ack, ns);
      if (c == null) {
        return;
      }
    }
    c.lastSeenNs = ns;
    boolean fromClient = c.isFromClient(h.srcAddr, h.srcPort);
    TcpStream own = fromClient ? c.toServer : c.toClient;
    TcpStream peer = fromClient ? c.toClient : c.toServer;
    if (syn) {
      own.onSyn(h.tcpSeq);
    }
    long dataSeq = syn ? h.tcpSeq + 1 : h.tcpSeq;
    if (fromClient && h.payloadLength > 0 && c.app instanceof HttpExchangeJoin && own.atStart(dataSeq)
        && c.toClient.atStart(h.tcpAck)) {
      // Opened at its SYN as HTTP/1 by the port (80, 8080, ...): the client's first bytes may still say HTTP/2
      // (prior knowledge) or TLS, which win on any port.
      int kind = appByContent(h, b);
      if (kind != APP_HTTP1) {
        c.app = app(kind, c.client, c.clientPort, c.server, c.serverPort);
      }
    }
    own.onSegment(dataSeq, b, h.payloadOffset, h.payloadLength, wirePayloadLength(h), fin, ns, c.app.consumer(fromClient), cx.budget,
        cx.summary.problems);
    if (ack) {
      peer.onPeerAck(h.tcpAck, ns, c.app.consumer(!fromClient), cx.budget, cx.summary.problems);
    }
    if (fin) {
      if (fromClient) {
        c.finFromClient = true;
      } else {
        c.finFromServer = true;
      }
    }
    if (rst || (c.finFromClient && c.finFromServer && c.toServer.finished() && c.toClient.finished())) {
      close(ns);
    }
  }

  /** Starts tracking the connection if it carries DNS or HTTP; null otherwise. */
  private TcpConnection open(PacketHeader h, byte[] b, boolean syn, boolean ack, long ns) {
    L7Config config = cx.config;
    int sport = h.srcPort;
    int dport = h.dstPort;
    Boolean senderIsClient = null;
    boolean isDns = false;
    int kind = appByContent(h, b); // HTTP/2 and TLS: by their first bytes, on any port
    int midHttp2 = syn ? 0 : http2MidConnection(h, b);
    if (kind != APP_HTTP1) {
      senderIsClient = true;
    } else if (midHttp2 != 0) {
      kind = APP_HTTP2_MID;
      senderIsClient = midHttp2 > 0;
    } else if (config.dnsPorts().contains(dport) || config.httpPorts().contains(dport)) {
      senderIsClient = true;
      isDns = config.dnsPorts().contains(dport);
    } else if (config.dnsPorts().contains(sport) || config.httpPorts().contains(sport)) {
      senderIsClient = false;
      isDns = config.dnsPorts().contains(sport);
    } else if (h.payloadLength > 0) {
      int off = h.payloadOffset;
      int len = h.payloadLength;
      if (HttpDetector.looksLikeRequest(b, off, len)) {
        senderIsClient = true;
      } else if (HttpDetector.looksLikeResponse(b, off, len)) {
        senderIsClient = false;
      } else if (DnsDetector.looksLikeDnsOverTcp(b, off, len)) {
        isDns = true;
        senderIsClient = (b[off + 4] & 0x80) == 0;
      }
    }
    if (senderIsClient == null) {
      return null;
    }
    if (syn) {
      senderIsClient = !ack; // the SYN's sender is the client, the SYN-ACK's the server
    }
    byte[] client = senderIsClient ? h.srcAddr.clone() : h.dstAddr.clone();
    byte[] server = senderIsClient ? h.dstAddr.clone() : h.srcAddr.clone();
    int clientPort = senderIsClient ? sport : dport;
    int serverPort = senderIsClient ? dport : sport;
    if (isDns) {
      kind = APP_DNS;
    }
    tcp = new TcpConnection(client, clientPort, server, serverPort, app(kind, client, clientPort, server, serverPort),
        ns);
    return tcp;
  }

  // The application on a connection, also its tag in the binary state (0 and 1 as the boolean they replaced).
  private static final int APP_HTTP1 = 0;
  private static final int APP_DNS = 1;
  private static final int APP_HTTP2 = 2;
  private static final int APP_TLS = 3;
  /** HTTP/2 joined mid-connection: a tag for {@link #app} only, its state is HTTP/2's (which keeps the mode). */
  private static final int APP_HTTP2_MID = 4;

  /**
   * An HTTP/2 connection already open when the capture began, by a segment starting on frame headers that validate
   * and holding a header block that says which side sent it: 1 the client, -1 the server, 0 not (yet) HTTP/2.
   */
  private static int http2MidConnection(PacketHeader h, byte[] b) {
    int off = h.payloadOffset;
    int len = h.payloadLength;
    if (len < 9 || !Http2Connection.startsWithFrames(b, off, len)) {
      return 0;
    }
    return Http2Connection.sender(b, off, len);
  }

  private static int appByContent(PacketHeader h, byte[] b) {
    int off = h.payloadOffset;
    int len = h.payloadLength;
    if (len >= 16 && java.util.Arrays.equals(b, off, off + 16, Http2Connection.PREFACE, 0, 16)) {
      return APP_HTTP2;
    }
    return Tls.looksLikeClientHello(b, off, len) ? APP_TLS : APP_HTTP1;
  }

  private TcpApp app(int kind, byte[] client, int clientPort, byte[] server, int serverPort) {
    if (kind == APP_HTTP2 || kind == APP_HTTP2_MID) {
      return new Http2App(client, clientPort, server, serverPort, kind == APP_HTTP2, cx.sink);
    }
    if (kind == APP_TLS) {
      return new TlsApp(client, clientPort, server, serverPort, cx.sink);
    }
    if (kind == APP_DNS) {
      return new DnsOverTcp((buf, off, len, wire, fromClient, firstNs) -> onDnsMessage(buf, off, len, wire,
          fromClient ? client : server, fromClient ? clientPort : serverPort,
          fromClient ? server : client, fromClient ? serverPort : clientPort, true, firstNs), cx.budget, cx.summary);
    }
    return new HttpExchangeJoin(client, clientPort, server, serverPort, cx.config.httpTimeoutNs(), cx.summary, cx.sink);
  }

  private void close(long ns) {
    TcpConnection c = tcp;
    tcp = null;
    c.toServer.flush(ns, c.app.consumer(true), cx.budget, cx.summary.problems);
    c.toClient.flush(ns, c.app.consumer(false), cx.budget, cx.summary.problems);
    c.app.onClose(ns);
  }

  public void write(DataOutput out) throws IOException {
    out.writeLong(clockNs);
    dns.write(out);
    out.writeBoolean(tcp != null);
    if (tcp == null) {
      return;
    }
    out.write(tcp.client);
    out.writeInt(tcp.clientPort);
    out.write(tcp.server);
    out.writeInt(tcp.serverPort);
    out.writeLong(tcp.lastSeenNs);
    out.writeBoolean(tcp.finFromClient);
    out.writeBoolean(tcp.finFromServer);
    tcp.toServer.write(out);
    tcp.toClient.write(out);
    if (tcp.app instanceof DnsOverTcp d) {
      out.writeByte(APP_DNS);
      d.write(out);
    } else if (tcp.app instanceof Http2App h2) {
      out.writeByte(APP_HTTP2);
      h2.write(out);
    } else if (tcp.app instanceof TlsApp tls) {
      out.writeByte(APP_TLS);
      tls.write(out);
    } else {
      out.writeByte(APP_HTTP1);
      ((HttpExchangeJoin) tcp.app).write(out);
    }
  }

  public static Conversation read(DataInput in, L7Context cx) throws IOException {
    Conversation c = new Conversation(cx);
    c.clockNs = in.readLong();
    c.dns.read(in);
    if (!in.readBoolean()) {
      return c;
    }
    byte[] client = new byte[16];
    in.readFully(client);
    int clientPort = in.readInt();
    byte[] server = new byte[16];
    in.readFully(server);
    int serverPort = in.readInt();
    long lastSeen = in.readLong();
    boolean finFromClient = in.readBoolean();
    boolean finFromServer = in.readBoolean();
    TcpStream toServer = new TcpStream();
    toServer.read(in, cx.budget);
    TcpStream toClient = new TcpStream();
    toClient.read(in, cx.budget);
    TcpApp app = c.app(in.readByte(), client, clientPort, server, serverPort);
    if (app instanceof DnsOverTcp d) {
      d.read(in);
    } else if (app instanceof Http2App h2) {
      h2.read(in);
    } else if (app instanceof TlsApp tls) {
      tls.read(in);
    } else {
      ((HttpExchangeJoin) app).read(in);
    }
    c.tcp = new TcpConnection(client, clientPort, server, serverPort, app, lastSeen, toServer, toClient);
    c.tcp.finFromClient = finFromClient;
    c.tcp.finFromServer = finFromServer;
    return c;
  }
}
