package io.sluice.decode.flow.ipfix;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Data sets that arrived before their template, held for a bounded time and size. When the
 * template arrives they are decoded; when they expire or overflow they are counted as dropped.
 */
public final class PendingDataSets {
  public static final int MAX_SETS = 64;
  public static final int MAX_BYTES = 256 * 1024;
  public static final long MAX_AGE_NS = 60_000_000_000L;

  static final class Entry {
    final long templateKey;
    final boolean ipfix;
    final long domain;
    final long exportTimeSec;
    final long sysUptimeMs;
    final long sequence;
    final long receivedNs;
    final byte[] body;

    Entry(long templateKey, boolean ipfix, long domain, long exportTimeSec, long sysUptimeMs, long sequence, long receivedNs, byte[] body) {
      this.templateKey = templateKey;
      this.ipfix = ipfix;
      this.domain = domain;
      this.exportTimeSec = exportTimeSec;
      this.sysUptimeMs = sysUptimeMs;
      this.sequence = sequence;
      this.receivedNs = receivedNs;
      this.body = body;
    }
  }

  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private int bytes;
  private int changes;

  /** Changes so far (a set held, taken, expired or dropped). */
  public int changes() {
    return changes;
  }

  public int size() {
    return entries.size();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Adds an entry; returns how many older entries were dropped to make room. */
  int add(Entry e) {
    changes++;
    int dropped = 0;
    while (!entries.isEmpty() && (entries.size() >= MAX_SETS || bytes + e.body.length > MAX_BYTES)) {
      bytes -= entries.removeFirst().body.length;
      dropped++;
    }
    if (e.body.length > MAX_BYTES) return dropped + 1;
    entries.addLast(e);
    bytes += e.body.length;
    return dropped;
  }

  /** Removes and returns entries older than the max age at {@code nowNs}: their count. */
  int expire(long nowNs) {
    int n = 0;
    while (!entries.isEmpty() && nowNs - entries.peekFirst().receivedNs > MAX_AGE_NS) {
      bytes -= entries.removeFirst().body.length;
      n++;
    }
    if (n > 0) changes++;
    return n;
  }

  /** Removes all entries: their count. */
  public int clear() {
    int n = entries.size();
    if (n > 0) changes++;
    entries.clear();
    bytes = 0;
    return n;
  }

  /** Removes and returns the entries waiting for this template, oldest first (null if none). */
  ArrayDeque<Entry> take(long templateKey) {
    ArrayDeque<Entry> out = null;
    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.templateKey == templateKey) {
        if (out == null) out = new ArrayDeque<>();
        out.add(e);
        bytes -= e.body.length;
        it.remove();
        changes++;
      }
    }
    return out;
  }

  public void writeTo(DataOutput out) throws IOException {
    out.writeShort(entries.size());
    for (Entry e : entries) {
      out.writeLong(e.templateKey);
      out.writeBoolean(e.ipfix);
      out.writeLong(e.domain);
      out.writeLong(e.exportTimeSec);
      out.writeLong(e.sysUptimeMs);
      out.writeLong(e.sequence);
      out.writeLong(e.receivedNs);
      out.writeInt(e.body.length);
      out.write(e.body);
    }
  }

  public void readFrom(DataInput in) throws IOException {
    int n = in.readUnsignedShort();
    if (n > MAX_SETS) throw new IOException("too many pending sets in state: " + n);
    for (int i = 0; i < n; i++) {
      long key = in.readLong();
      boolean ipfix = in.readBoolean();
      long domain = in.readLong();
      long export = in.readLong();
      long uptime = in.readLong();
      long seq = in.readLong();
      long received = in.readLong();
      int len = in.readInt();
      if (len < 0 || len > MAX_BYTES) throw new IOException("bad pending set length: " + len);
      byte[] body = new byte[len];
      in.readFully(body);
      add(new Entry(key, ipfix, domain, export, uptime, seq, received, body));
    }
  }
}
