package io.sluice.join;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.dns.DnsMessage;
import io.sluice.decode.l7.dns.DnsParser;
import io.sluice.decode.l7.http.HttpDetector;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The L7 parse-and-join as a pure, event-time state machine: feed it frames with their capture times, tell
 * it how far event time has advanced, and it emits {@code dns} and {@code http} rows to the sink. The same
 * input always gives the same rows, whether replayed from a file or captured live.
 *
 * <p>Not thread-safe. State is bounded: connections, pending DNS queries and fragmented datagrams by count,
 * all buffers together by {@link L7Config#memoryBudgetBytes()}. A TCP connection gets state only when it
 * carries DNS or HTTP (by port, or by content on other ports), so random segments or a SYN flood to other
 * ports cost nothing, and SYNs to L7 ports cost a small entry that idles out.
 */
public final class L7Engine {
  private static final long SCAN_INTERVAL_NS = 1_000_000_000L;

  private final L7Config config;
  private final L7Sink sink;
  private final L7Summary summary = new L7Summary();
  private final MemoryBudget budget;
  private final PacketHeader header = new PacketHeader();
  private final PacketHeader reassembled = new PacketHeader();
  private final DnsParser dnsParser = new DnsParser();
  private final DnsMessage dnsMessage = new DnsMessage();
  private final DnsJoin dnsJoin;
  private final IpDefragmenter defragmenter;
  private final Map<ConnKey, TcpConnection> connections = new HashMap<>();
  private long watermarkNs = Long.MIN_VALUE;
  private long lastScanNs = Long.MIN_VALUE;

  public L7Engine(L7Config config, L7Sink sink) {
    this.config = config;
    this.sink = sink;
    this.budget = new MemoryBudget(config.memoryBudgetBytes());
    this.dnsJoin = new DnsJoin(config.dnsTimeoutNs(), config.maxPendingDns(), summary, sink);
    this.defragmenter = new IpDefragmenter(config.maxFragmentedDatagrams(), config.fragmentTimeoutNs(), budget,
        summary);
  }

  public L7Summary summary() {
    return summary;
  }

  public MemoryBudget budget() {
    return budget;
  }

  public int connectionCount() {
    return connections.size();
  }

  /** One captured frame of a pcap link type. */
  public void onFrame(long ns, int linkType, byte[] data, int len) {
    summary.frames++;
    PacketHeader h = header;
    if (!PacketParser.parse(linkType, data, 0, len, h)) {
      if (h.truncated) {
        summary.problems.add(L7Problem.PACKET_TRUNCATED);
      } else {
        summary.framesNotIp++;
      }
      return;
    }
    if (h.vxlan && h.inner.layer >= 3) {
      h = h.inner;
    }
    byte[] buf = data;
    if (h.isFragment()) {
      byte[] whole = defragmenter.offer(h, data, len, ns);
      if (whole == null || !PacketParser.parseIp(whole, 0, whole.length, reassembled)) {
        return;
      }
      h = reassembled;
      buf = whole;
    }
    if (h.layer < 4) {
      if (h.truncated) {
        summary.problems.add(L7Problem.PACKET_TRUNCATED);
      }
      return;
    }
    if (h.protocol == PacketParser.PROTO_UDP) {
      onUdp(h, buf, ns);
    } else if (h.protocol == PacketParser.PROTO_TCP) {
      onTcp(h, buf, ns);
    }
  }

  /** Event time has reached {@code ns}: fire the timeouts due and evict idle connections. */
  public void advanceWatermark(long ns) {
    if (ns <= watermarkNs) {
      return;
    }
    watermarkNs = ns;
    dnsJoin.advanceWatermark(ns);
    defragmenter.advanceWatermark(ns);
    if (lastScanNs == Long.MIN_VALUE || ns - lastScanNs >= SCAN_INTERVAL_NS) {
      lastScanNs = ns;
      List<ConnKey> idle = new ArrayList<>();
      for (Map.Entry<ConnKey, TcpConnection> e : connections.entrySet()) {
        TcpConnection c = e.getValue();
        if (c.lastSeenNs <= ns - config.tcpIdleNs()) {
          idle.add(e.getKey());
        } else {
          c.app.advanceWatermark(ns);
        }
      }
      for (ConnKey k : idle) {
        close(k, connections.get(k), ns);
      }
    }
  }

  /** End of input: close every connection and time out everything pending. */
  public void finish() {
    for (ConnKey k : new ArrayList<>(connections.keySet())) {
      close(k, connections.get(k), watermarkNs);
    }
    dnsJoin.flush();
    defragmenter.advanceWatermark(Long.MAX_VALUE);
  }

  private void onUdp(PacketHeader h, byte[] b, long ns) {
    int off = h.payloadOffset;
    int len = h.payloadLength;
    boolean known = config.dnsPorts().contains(h.srcPort) || config.dnsPorts().contains(h.dstPort);
    if (!known && !DnsDetector.looksLikeDns(b, off, len)) {
      return;
    }
    onDnsMessage(b, off, len, h.srcAddr, h.srcPort, h.dstAddr, h.dstPort, false, ns);
  }

  private void onDnsMessage(byte[] b, int off, int len, byte[] src, int srcPort, byte[] dst, int dstPort,
      boolean tcp, long ns) {
    L7Problem problem = dnsParser.parse(b, off, len, dnsMessage);
    if (problem != null) {
      summary.problems.add(problem);
      return;
    }
    dnsJoin.onMessage(dnsMessage, src, srcPort, dst, dstPort, tcp, ns);
  }

  private void onTcp(PacketHeader h, byte[] b, long ns) {
    ConnKey key = ConnKey.of(h.srcAddr, h.srcPort, h.dstAddr, h.dstPort, PacketParser.PROTO_TCP);
    TcpConnection c = connections.get(key);
    boolean syn = (h.tcpFlags & 0x02) != 0;
    boolean ack = (h.tcpFlags & 0x10) != 0;
    boolean fin = (h.tcpFlags & 0x01) != 0;
    boolean rst = (h.tcpFlags & 0x04) != 0;
    if (c == null) {
      if (rst || (h.payloadLength == 0 && !syn)) {
        return;
      }
      c = open(key, h, b, syn, ack, ns);
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
    own.onSegment(dataSeq, b, h.payloadOffset, h.payloadLength, fin, ns, c.app.consumer(fromClient), budget,
        summary.problems);
    if (ack) {
      peer.onPeerAck(h.tcpAck, ns, c.app.consumer(!fromClient), budget, summary.problems);
    }
    if (fin) {
      if (fromClient) {
        c.finFromClient = true;
      } else {
        c.finFromServer = true;
      }
    }
    if (rst || (c.finFromClient && c.finFromServer && c.toServer.finished() && c.toClient.finished())) {
      close(key, c, ns);
    }
  }

  /** Starts tracking a connection if it carries DNS or HTTP; null otherwise. */
  private TcpConnection open(ConnKey key, PacketHeader h, byte[] b, boolean syn, boolean ack, long ns) {
    int sport = h.srcPort;
    int dport = h.dstPort;
    Boolean senderIsClient = null;
    boolean dns = false;
    if (config.dnsPorts().contains(dport) || config.httpPorts().contains(dport)) {
      senderIsClient = true;
      dns = config.dnsPorts().contains(dport);
    } else if (config.dnsPorts().contains(sport) || config.httpPorts().contains(sport)) {
      senderIsClient = false;
      dns = config.dnsPorts().contains(sport);
    } else if (h.payloadLength > 0) {
      int off = h.payloadOffset;
      int len = h.payloadLength;
      if (HttpDetector.looksLikeRequest(b, off, len)) {
        senderIsClient = true;
      } else if (HttpDetector.looksLikeResponse(b, off, len)) {
        senderIsClient = false;
      } else if (DnsDetector.looksLikeDnsOverTcp(b, off, len)) {
        dns = true;
        senderIsClient = (b[off + 4] & 0x80) == 0;
      }
    }
    if (senderIsClient == null) {
      return null;
    }
    if (syn) {
      senderIsClient = !ack; // the SYN's sender is the client, the SYN-ACK's the server
    }
    if (connections.size() >= config.maxConnections()) {
      summary.problems.add(L7Problem.TCP_TABLE_FULL);
      return null;
    }
    byte[] client = senderIsClient ? h.srcAddr.clone() : h.dstAddr.clone();
    byte[] server = senderIsClient ? h.dstAddr.clone() : h.srcAddr.clone();
    int clientPort = senderIsClient ? sport : dport;
    int serverPort = senderIsClient ? dport : sport;
    TcpApp app;
    if (dns) {
      app = new DnsOverTcp((buf, off, len, fromClient, firstNs) -> onDnsMessage(buf, off, len,
          fromClient ? client : server, fromClient ? clientPort : serverPort,
          fromClient ? server : client, fromClient ? serverPort : clientPort, true, firstNs), budget, summary);
    } else {
      app = new HttpExchangeJoin(client, clientPort, server, serverPort, config.httpTimeoutNs(), summary, sink);
    }
    TcpConnection c = new TcpConnection(client, clientPort, server, serverPort, app, ns);
    connections.put(key, c);
    return c;
  }

  private void close(ConnKey key, TcpConnection c, long ns) {
    c.toServer.flush(ns, c.app.consumer(true), budget, summary.problems);
    c.toClient.flush(ns, c.app.consumer(false), budget, summary.problems);
    c.app.onClose(ns);
    connections.remove(key);
  }

  /** For tests: connections and their buffers. */
  Iterator<TcpConnection> connectionsForTest() {
    return connections.values().iterator();
  }
}
