package io.sluice.l7;

import io.sluice.l7.reassembly.MemoryBudget;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.packet.PacketHeader;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reassembles fragmented IPv4 and IPv6 datagrams, bounded in count, per-datagram fragments, bytes (the
 * shared budget) and time. A complete datagram comes back as a synthetic unfragmented IP packet (a plain
 * IPv4 or IPv6 header followed by the reassembled payload) for the shared packet parser to decode. What
 * cannot be reassembled is counted: table full, timeout, or invalid (overlaps that disagree are not
 * checked; later bytes win, as most stacks do). A reassembled datagram is timed by its first fragment (offset 0,
 * {@link #completedStartNs()}): when the datagram began to arrive, as a TCP message is timed by its first segment,
 * and the only fragment a capture that cuts packets (the eBPF loader) sees.
 */
public final class IpDefragmenter {
  static final int MAX_DATAGRAM = 65_535;
  static final int MAX_FRAGMENTS = 64;

  private record Key(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, long id, int version) {}

  private static final class Datagram {
    final Key key;
    final long firstNs;
    /** Capture time of the fragment at offset 0, once seen. */
    long startNs = Long.MIN_VALUE;
    byte[] data = new byte[0];
    int total = -1;
    int fragments;
    /** Received byte ranges, merged: starts[i]..ends[i]. */
    final int[] starts = new int[MAX_FRAGMENTS];
    final int[] ends = new int[MAX_FRAGMENTS];
    int ranges;
    boolean dead;

    Datagram(Key key, long firstNs) {
      this.key = key;
      this.firstNs = firstNs;
    }
  }

  private final Map<Key, Datagram> datagrams = new HashMap<>();
  private final ArrayDeque<Datagram> byTime = new ArrayDeque<>();
  private final int maxDatagrams;
  private final long timeoutNs;
  private final MemoryBudget budget;
  private final L7Summary summary;
  private long completedStartNs;

  public IpDefragmenter(int maxDatagrams, long timeoutNs, MemoryBudget budget, L7Summary summary) {
    this.maxDatagrams = maxDatagrams;
    this.timeoutNs = timeoutNs;
    this.budget = budget;
    this.summary = summary;
  }

  /**
   * Adds the fragment that {@code h} describes ({@code frame} is the captured frame, {@code frameEnd} its
   * end). Returns the reassembled IP packet when this fragment completes its datagram, else null.
   */
  public byte[] offer(PacketHeader h, byte[] frame, int frameEnd, long ns) {
    int start = h.ipOffset + h.ipHeaderLength;
    int end = h.ipTotalLength > h.ipHeaderLength ? Math.min(frameEnd, h.ipOffset + h.ipTotalLength) : frameEnd;
    int len = end - start;
    int at = h.fragmentOffset;
    if (len < 0 || at + len > MAX_DATAGRAM || (h.moreFragments && len % 8 != 0)) {
      summary.problems.add(L7Problem.IP_FRAGMENT_INVALID);
      return null;
    }
    Key key = new Key(ConnKey.hi(h.srcAddr), ConnKey.lo(h.srcAddr), ConnKey.hi(h.dstAddr), ConnKey.lo(h.dstAddr),
        h.protocol, h.ipId, h.ipVersion);
    Datagram d = datagrams.get(key);
    if (d == null) {
      if (datagrams.size() >= maxDatagrams) {
        summary.problems.add(L7Problem.IP_FRAGMENT_TABLE_FULL);
        return null;
      }
      d = new Datagram(key, ns);
      datagrams.put(key, d);
      byTime.addLast(d);
    }
    if (++d.fragments > MAX_FRAGMENTS || !h.moreFragments && d.total >= 0 && d.total != at + len) {
      drop(d, L7Problem.IP_FRAGMENT_INVALID);
      return null;
    }
    if (!h.moreFragments) {
      d.total = at + len;
    }
    if (d.data.length < at + len) {
      int grown = Math.min(MAX_DATAGRAM, Math.max(at + len, d.data.length * 2));
      if (!budget.reserve(grown - d.data.length)) {
        drop(d, L7Problem.IP_FRAGMENT_TABLE_FULL);
        return null;
      }
      d.data = java.util.Arrays.copyOf(d.data, grown);
    }
    System.arraycopy(frame, start, d.data, at, len);
    addRange(d, at, at + len);
    if (at == 0) {
      d.startNs = ns;
    }
    if (d.total < 0 || d.ranges != 1 || d.starts[0] != 0 || d.ends[0] < d.total) {
      return null;
    }
    remove(d);
    completedStartNs = d.startNs;
    return synthesize(h, d);
  }

  /** The capture time of the first fragment (offset 0) of the datagram {@link #offer} returned last. */
  public long completedStartNs() {
    return completedStartNs;
  }

  /** Drops datagrams whose first fragment is older than the timeout. */
  public void advanceWatermark(long watermarkNs) {
    while (!byTime.isEmpty()) {
      Datagram d = byTime.peekFirst();
      if (!d.dead && d.firstNs > watermarkNs - timeoutNs) {
        return;
      }
      byTime.pollFirst();
      if (!d.dead) {
        drop(d, L7Problem.IP_FRAGMENT_TIMEOUT);
      }
    }
  }

  public int size() {
    return datagrams.size();
  }

  private void drop(Datagram d, L7Problem why) {
    summary.problems.add(why);
    remove(d);
  }

  private void remove(Datagram d) {
    d.dead = true;
    datagrams.remove(d.key);
    budget.release(d.data.length);
  }

  private static void addRange(Datagram d, int s, int e) {
    int[] starts = d.starts;
    int[] ends = d.ends;
    // Merge with every overlapping or touching range, then insert in order.
    int i = 0;
    int out = 0;
    int n = d.ranges;
    int[] ns = new int[n + 1];
    int[] ne = new int[n + 1];
    boolean placed = false;
    for (; i < n; i++) {
      if (ends[i] < s) {
        ns[out] = starts[i];
        ne[out++] = ends[i];
      } else if (starts[i] > e) {
        if (!placed) {
          ns[out] = s;
          ne[out++] = e;
          placed = true;
        }
        ns[out] = starts[i];
        ne[out++] = ends[i];
      } else {
        s = Math.min(s, starts[i]);
        e = Math.max(e, ends[i]);
      }
    }
    if (!placed) {
      ns[out] = s;
      ne[out++] = e;
    }
    System.arraycopy(ns, 0, starts, 0, Math.min(out, MAX_FRAGMENTS));
    System.arraycopy(ne, 0, ends, 0, Math.min(out, MAX_FRAGMENTS));
    d.ranges = Math.min(out, MAX_FRAGMENTS);
  }

  private static byte[] synthesize(PacketHeader h, Datagram d) {
    int total = d.total;
    if (h.ipVersion == 4) {
      byte[] p = new byte[20 + total];
      p[0] = 0x45;
      p[2] = (byte) ((20 + total) >>> 8);
      p[3] = (byte) (20 + total);
      p[8] = (byte) h.ttl;
      p[9] = (byte) h.protocol;
      System.arraycopy(h.srcAddr, 12, p, 12, 4);
      System.arraycopy(h.dstAddr, 12, p, 16, 4);
      System.arraycopy(d.data, 0, p, 20, total);
      return p;
    }
    byte[] p = new byte[40 + total];
    p[0] = 0x60;
    p[4] = (byte) (total >>> 8);
    p[5] = (byte) total;
    p[6] = (byte) h.protocol;
    p[7] = (byte) h.ttl;
    System.arraycopy(h.srcAddr, 0, p, 8, 16);
    System.arraycopy(h.dstAddr, 0, p, 24, 16);
    System.arraycopy(d.data, 0, p, 40, total);
    return p;
  }
}
