package io.sluice.l7;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.dns.DnsMessage;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pairs DNS queries with responses by (client, server, transport, id, question); when either message has no
 * question (the capture cut it off, or it was sent without one: a STATUS or NOTIMP answer need not echo it), by
 * (client, server, transport, id), the oldest such query first. Every opcode pairs this way. Event-time driven: a
 * query unanswered when the watermark passes its time + timeout becomes a {@code timeout} row; a response
 * with no pending query becomes an {@code unsolicited} row. Pending queries are bounded, by count and by their
 * stored size ({@link #MAX_PENDING_BYTES}) per conversation, and by a budget shared by all conversations of a job
 * subtask: past a bound the oldest one is timed out early and counted ({@code dns_pending_table_full}); with
 * nothing of its own to give up, the new query is a {@code timeout} row at once.
 */
public final class DnsJoin {
  /** Stored bytes of the queries one conversation may have pending: about 8,000 (200,000 took 25 MB). */
  public static final int MAX_PENDING_BYTES = 1 << 20;

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
    final boolean cut;
    final boolean questionCut;
    /** What {@link DnsJoin#write} takes for it: the measure of the bounds. */
    final int bytes;
    boolean done;

    Pending(Key key, long timeNs, byte[] client, byte[] server, int flags, int size, boolean edns, int ednsUdpSize,
        int ednsVersion, boolean ednsDo, int ecsFamily, int ecsSource, byte[] ecsAddr, boolean cut,
        boolean questionCut) {
      this.key = key;
      this.timeNs = timeNs;
      this.client = client;
      this.server = server;
      this.flags = flags;
      this.size = size;
      this.edns = edns;
      this.ednsUdpSize = ednsUdpSize;
      this.ednsVersion = ednsVersion;
      this.ednsDo = ednsDo;
      this.ecsFamily = ecsFamily;
      this.ecsSource = ecsSource;
      this.ecsAddr = ecsAddr;
      this.cut = cut;
      this.questionCut = questionCut;
      this.bytes = storedBytes(key);
    }

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
      this.ednsDo = q.ednsDo;
      this.ecsFamily = q.ecsFamily;
      this.ecsSource = q.ecsSourcePrefix;
      this.ecsAddr = q.ecsFamily != 0 ? q.ecsAddr.clone() : ZERO16;
      this.cut = q.cut;
      this.questionCut = questionCut(q);
      this.bytes = storedBytes(key);
    }

    private static int storedBytes(Key key) {
      int utf = 0;
      for (int i = 0, n = key.qname.length(); i < n; i++) {
        char c = key.qname.charAt(i);
        utf += c >= 1 && c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
      }
      return 107 + utf;
    }
  }

  private static final byte[] ZERO16 = new byte[16];

  // Sized for the usual conversation, one or two queries at a time (they grow as needed): every conversation has one.
  private final Map<Key, Pending> pending = new HashMap<>(4);
  private final ArrayDeque<Pending> byTime = new ArrayDeque<>(2);
  private final long timeoutNs;
  private final int maxPending;
  private final L7Summary summary;
  private final L7Sink sink;
  /** Shared by the conversations of a thread; a query's bytes are reserved while it is pending. */
  private final io.sluice.l7.reassembly.MemoryBudget shared;
  private int pendingBytes;

  public DnsJoin(long timeoutNs, int maxPending, L7Summary summary, L7Sink sink) {
    this(timeoutNs, maxPending, summary, sink, new io.sluice.l7.reassembly.MemoryBudget(Long.MAX_VALUE));
  }

  public DnsJoin(long timeoutNs, int maxPending, L7Summary summary, L7Sink sink,
      io.sluice.l7.reassembly.MemoryBudget shared) {
    this.timeoutNs = timeoutNs;
    this.maxPending = maxPending;
    this.summary = summary;
    this.sink = sink;
    this.shared = shared;
  }

  /** A decoded message from (src, srcPort) to (dst, dstPort); its QR bit says which side is the client. */
  public void onMessage(DnsMessage m, byte[] src, int srcPort, byte[] dst, int dstPort, boolean tcp, long ts) {
    summary.dnsMessages++;
    if (!m.isResponse()) {
      summary.dnsQueries++;
      Key key = key(src, srcPort, dst, dstPort, tcp, m);
      Pending earlier = removePending(key);
      if (earlier != null) {
        // A retransmitted query: the earlier attempt went unanswered, the response answers this one (as tshark pairs).
        earlier.done = true;
        timeout(earlier);
      }
      Pending p = new Pending(key, ts, src.clone(), dst.clone(), m);
      while (pending.size() >= maxPending || pendingBytes + p.bytes > MAX_PENDING_BYTES || !shared.reserve(p.bytes)) {
        summary.problems.add(L7Problem.DNS_PENDING_TABLE_FULL);
        if (pending.isEmpty()) {
          p.done = true;
          timeout(p);
          return;
        }
        expireOldest();
      }
      pending.put(key, p);
      pendingBytes += p.bytes;
      byTime.addLast(p);
      return;
    }
    summary.dnsResponses++;
    Key key = key(dst, dstPort, src, srcPort, tcp, m);
    Pending p = removePending(key);
    if (p == null) {
      p = pairWithoutQuestion(key, questionCut(m));
    }
    if (p == null) {
      summary.dnsUnsolicited++;
      sink.dns(row(null, m, dst.clone(), dstPort, src.clone(), srcPort, tcp, ts, RowStatus.UNSOLICITED));
      return;
    }
    p.done = true;
    summary.dnsPairs++;
    sink.dns(row(p, m, p.client, dstPort, p.server, srcPort, tcp, ts, RowStatus.ANSWERED));
  }

  /** No question was decoded: none was sent, or the capture cut it. */
  private static boolean questionCut(DnsMessage m) {
    return !m.questionCaptured;
  }

  /** The oldest pending query of the response's endpoints and id when one of the two lacks its question. */
  private Pending pairWithoutQuestion(Key r, boolean responseQuestionless) {
    for (Pending p : byTime) {
      Key k = p.key;
      if (!p.done && (responseQuestionless || p.questionCut) && k.id == r.id && k.tcp == r.tcp && k.cPort == r.cPort
          && k.sPort == r.sPort && k.cHi == r.cHi && k.cLo == r.cLo && k.sHi == r.sHi && k.sLo == r.sLo) {
        removePending(k);
        return p;
      }
    }
    return null;
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
        removePending(p.key);
        timeout(p);
      }
    }
  }

  /** End of input: every pending query times out. */
  public void flush() {
    advanceWatermark(Long.MAX_VALUE);
  }

  /** When the oldest pending query times out; Long.MAX_VALUE when none is pending. */
  public long nextDeadline() {
    for (Pending p : byTime) {
      if (!p.done) {
        return p.timeNs + timeoutNs;
      }
    }
    return Long.MAX_VALUE;
  }

  /** The pending queries, oldest first, for Flink keyed state. */
  public void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeInt(pending.size());
    for (Pending p : byTime) {
      if (p.done) {
        continue;
      }
      Key k = p.key;
      out.writeInt(k.cPort);
      out.writeInt(k.sPort);
      out.writeBoolean(k.tcp);
      out.writeInt(k.id);
      out.writeUTF(k.qname);
      out.writeInt(k.qtype);
      out.writeInt(k.qclass);
      out.writeLong(p.timeNs);
      out.write(p.client);
      out.write(p.server);
      out.writeInt(p.flags);
      out.writeInt(p.size);
      out.writeBoolean(p.edns);
      out.writeInt(p.ednsUdpSize);
      out.writeInt(p.ednsVersion);
      out.writeBoolean(p.ednsDo);
      out.writeInt(p.ecsFamily);
      out.writeInt(p.ecsSource);
      out.write(p.ecsAddr);
      out.writeBoolean(p.cut);
      out.writeBoolean(p.questionCut);
    }
  }

  public void read(java.io.DataInput in) throws java.io.IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      int cPort = in.readInt();
      int sPort = in.readInt();
      boolean tcp = in.readBoolean();
      int id = in.readInt();
      String qname = in.readUTF();
      int qtype = in.readInt();
      int qclass = in.readInt();
      long timeNs = in.readLong();
      byte[] client = new byte[16];
      in.readFully(client);
      byte[] server = new byte[16];
      in.readFully(server);
      Key key = new Key(ConnKey.hi(client), ConnKey.lo(client), cPort, ConnKey.hi(server), ConnKey.lo(server), sPort,
          tcp, id, qname, qtype, qclass);
      int flags = in.readInt();
      int size = in.readInt();
      boolean edns = in.readBoolean();
      int udpSize = in.readInt();
      int version = in.readInt();
      boolean ednsDo = in.readBoolean();
      int ecsFamily = in.readInt();
      int ecsSource = in.readInt();
      byte[] ecsAddr = new byte[16];
      in.readFully(ecsAddr);
      boolean cut = in.readBoolean();
      boolean questionCut = in.readBoolean();
      Pending p = new Pending(key, timeNs, client, server, flags, size, edns, udpSize, version, ednsDo, ecsFamily,
          ecsSource, ecsAddr, cut, questionCut);
      // Reserved in the shared budget when it was first added; a restored conversation does not reserve again.
      pending.put(key, p);
      pendingBytes += p.bytes;
      byTime.addLast(p);
    }
  }

  /** Removes a pending query and gives its bytes back. */
  private Pending removePending(Key key) {
    Pending p = pending.remove(key);
    if (p != null) {
      pendingBytes -= p.bytes;
      shared.release(p.bytes);
    }
    return p;
  }

  /** The stored size of the pending queries. */
  public int pendingBytes() {
    return pendingBytes;
  }

  public int pendingCount() {
    return pending.size();
  }

  private void expireOldest() {
    while (!byTime.isEmpty()) {
      Pending p = byTime.pollFirst();
      if (!p.done) {
        removePending(p.key);
        timeout(p);
        return;
      }
    }
  }

  private void timeout(Pending p) {
    summary.dnsTimeouts++;
    sink.dns(row(p, null, p.client, p.key.cPort, p.server, p.key.sPort, p.key.tcp, 0, RowStatus.TIMEOUT));
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
        ednsFromResponse ? r.ednsDo : q != null && q.ednsDo,
        ecsFromResponse ? r.ecsFamily : q != null ? q.ecsFamily : 0,
        ecsFromResponse ? r.ecsSourcePrefix : q != null ? q.ecsSource : 0,
        ecsFromResponse ? r.ecsScopePrefix : 0,
        ecsFromResponse ? r.ecsAddr.clone() : q != null ? q.ecsAddr : ZERO16,
        r != null && r.truncated(),
        q != null ? q.size : 0,
        r != null ? r.size : 0,
        r != null ? responseTs : 0,
        q != null && r != null ? responseTs - q.timeNs : 0,
        status,
        (q != null && q.cut) || (r != null && r.cut));
  }
}
