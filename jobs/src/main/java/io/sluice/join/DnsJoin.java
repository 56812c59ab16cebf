package io.sluice.join;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.dns.DnsMessage;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs DNS queries with responses by (client, server, transport, id, question). Event-time driven: a
 * query unanswered when the watermark passes its time + timeout becomes a {@code timeout} row; a response
 * with no pending query becomes an {@code unsolicited} row. Pending queries are bounded: past the limit the
 * oldest one is timed out early and counted.
 */
public final class DnsJoin {
  private record Key(long cHi, long cLo, int cPort, long sHi, long sLo, int sPort, boolean tcp, int id,
      String qname, int qtype, int qclass) {}

  /** What a row needs from the query, copied out of the reusable message. */
  private static final class Pending {
    final Key key;
    final long timeNs;
    final byte[] client;
    final byte[] server;
    final int flags;
    final int size;
    final boolean edns;
    final int ednsUdpSize;
    final int ednsVersion;
    final boolean ednsDo;
    final int ecsFamily;
    final int ecsSource;
    final byte[] ecsAddr;
    boolean done;

    Pending(Key key, long timeNs, byte[] client, byte[] server, DnsMessage q) {
      this.key = key;
      this.timeNs = timeNs;
      this.client = client;
      this.server = server;
      this.flags = q.flags;
      this.size = q.size;
      this.edns = q.edns;
      this.ednsUdpSize = q.ednsUdpSize;
      this.ednsVersion = q.ednsVersion;
      this.ednsDo = q.ednsDnssecOk;
      this.ecsFamily = q.ecsFamily;
      this.ecsSource = q.ecsSourcePrefix;
      this.ecsAddr = q.ecsFamily != 0 ? q.ecsAddress.clone() : ZERO16;
    }
  }

  private static final byte[] ZERO16 = new byte[16];

  private final Map<Key, Pending> pending = new HashMap<>();
  private final ArrayDeque<Pending> byTime = new ArrayDeque<>();
  private final long timeoutNs;
  private final int maxPending;
  private final L7Summary summary;
  private final L7Sink sink;

  public DnsJoin(long timeoutNs, int maxPending, L7Summary summary, L7Sink sink) {
    this.timeoutNs = timeoutNs;
    this.maxPending = maxPending;
    this.summary = summary;
    this.sink = sink;
  }

  /** A decoded message from (src, srcPort) to (dst, dstPort); its QR bit says which side is the client. */
  public void onMessage(DnsMessage m, byte[] src, int srcPort, byte[] dst, int dstPort, boolean tcp, long ts) {
    summary.dnsMessages++;
    if (!m.isResponse()) {
      summary.dnsQueries++;
      Key key = key(src, srcPort, dst, dstPort, tcp, m);
      Pending earlier = pending.remove(key);
      if (earlier != null) {
        // A retransmitted query: the earlier attempt went unanswered, the response answers this one (as tshark pairs).
        earlier.done = true;
        timeout(earlier);
      }
      if (pending.size() >= maxPending) {
        summary.problems.add(L7Problem.DNS_PENDING_TABLE_FULL);
        expireOldest();
      }
      Pending p = new Pending(key, ts, src.clone(), dst.clone(), m);
      pending.put(key, p);
      byTime.addLast(p);
      return;
    }
    summary.dnsResponses++;
    Pending p = pending.remove(key(dst, dstPort, src, srcPort, tcp, m));
    if (p == null) {
      summary.dnsUnsolicited++;
      sink.dns(row(null, m, dst.clone(), dstPort, src.clone(), srcPort, tcp, ts, DnsRow.UNSOLICITED));
      return;
    }
    p.done = true;
    summary.dnsPairs++;
    sink.dns(row(p, m, p.client, dstPort, p.server, srcPort, tcp, ts, DnsRow.ANSWERED));
  }

  /** Times out the queries sent at or before {@code watermarkNs - timeout}. */
  public void advanceWatermark(long watermarkNs) {
    while (!byTime.isEmpty()) {
      Pending p = byTime.peekFirst();
      if (!p.done && p.timeNs > watermarkNs - timeoutNs) {
        return;
      }
      byTime.pollFirst();
      if (!p.done) {
        pending.remove(p.key);
        timeout(p);
      }
    }
  }

  /** End of input: every pending query times out. */
  public void flush() {
    advanceWatermark(Long.MAX_VALUE);
  }

  public int pendingCount() {
    return pending.size();
  }

  private void expireOldest() {
    while (!byTime.isEmpty()) {
      Pending p = byTime.pollFirst();
      if (!p.done) {
        pending.remove(p.key);
        timeout(p);
        return;
      }
    }
  }

  private void timeout(Pending p) {
    summary.dnsTimeouts++;
    sink.dns(row(p, null, p.client, p.key.cPort, p.server, p.key.sPort, p.key.tcp, 0, DnsRow.TIMEOUT));
  }

  private static Key key(byte[] client, int cPort, byte[] server, int sPort, boolean tcp, DnsMessage m) {
    return new Key(ConnKey.hi(client), ConnKey.lo(client), cPort, ConnKey.hi(server), ConnKey.lo(server), sPort,
        tcp, m.id, m.qname, m.qtype, m.qclass);
  }

  private static DnsRow row(Pending q, DnsMessage r, byte[] client, int cPort, byte[] server, int sPort,
      boolean tcp, long responseTs, String status) {
    boolean ecsFromResponse = r != null && r.ecsFamily != 0;
    boolean ednsFromResponse = r != null && r.edns;
    Key k = q != null ? q.key : null;
    return new DnsRow(
        q != null ? q.timeNs : responseTs,
        client, cPort, server, sPort,
        tcp ? "tcp" : "udp",
        k != null ? k.id : r.id,
        k != null ? k.qname : r.qname,
        k != null ? k.qtype : r.qtype,
        k != null ? k.qclass : r.qclass,
        q != null ? (q.flags >>> 11) & 0xF : r.opcode(),
        r != null ? r.rcode() : 0,
        q != null ? q.flags : 0,
        r != null ? r.flags : 0,
        r != null ? r.anCount : 0,
        r != null ? r.nsCount : 0,
        r != null ? r.arCount : 0,
        r != null ? List.copyOf(r.answers) : List.of(),
        ednsFromResponse || (q != null && q.edns),
        ednsFromResponse ? r.ednsUdpSize : q != null ? q.ednsUdpSize : 0,
        ednsFromResponse ? r.ednsVersion : q != null ? q.ednsVersion : 0,
        ednsFromResponse ? r.ednsDnssecOk : q != null && q.ednsDo,
        ecsFromResponse ? r.ecsFamily : q != null ? q.ecsFamily : 0,
        ecsFromResponse ? r.ecsSourcePrefix : q != null ? q.ecsSource : 0,
        ecsFromResponse ? r.ecsScopePrefix : 0,
        ecsFromResponse ? r.ecsAddress.clone() : q != null ? q.ecsAddr : ZERO16,
        r != null && r.truncated(),
        q != null ? q.size : 0,
        r != null ? r.size : 0,
        r != null ? responseTs : 0,
        q != null && r != null ? responseTs - q.timeNs : 0,
        status);
  }
}
