package io.sluice.decode.flow;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Tracks a 32-bit sequence number of one exporter stream (an exporter and domain, or an sFlow agent
 * and sub-agent). A jump forward is loss; a small step back is a reorder; a big jump either way is a
 * restart (the exporter rebooted or the stream was reset), which is not counted as loss.
 */
public final class SequenceTracker {
  /** Largest forward jump still taken as loss, in the stream's units (datagrams or records). */
  static final long MAX_GAP_DATAGRAMS = 1L << 16;
  static final long MAX_GAP_RECORDS = 1L << 22;
  /** A step back within this many units is a late datagram, not a restart. */
  static final long REORDER_WINDOW_DATAGRAMS = 1L << 8;
  static final long REORDER_WINDOW_RECORDS = 1L << 14;

  final long key;
  final boolean countsRecords;
  private boolean started;
  private long expected;
  private long lost;
  private long reorders;
  private long restarts;

  SequenceTracker(long key, boolean countsRecords) {
    this.key = key;
    this.countsRecords = countsRecords;
  }

  /**
   * Observes a datagram's sequence number; {@code units} is what the datagram adds to the sequence
   * (1 for datagram counters, the record count for record counters), or -1 when unknown: then the
   * next datagram resynchronises instead of being judged.
   */
  public void observe(long sequence, long units) {
    sequence &= 0xFFFFFFFFL;
    if (started) {
      int delta = (int) (sequence - expected);
      long maxGap = countsRecords ? MAX_GAP_RECORDS : MAX_GAP_DATAGRAMS;
      long window = countsRecords ? REORDER_WINDOW_RECORDS : REORDER_WINDOW_DATAGRAMS;
      if (delta > 0 && delta <= maxGap) {
        lost += delta;
      } else if (delta < 0 && -delta <= window) {
        reorders++;
        return;
      } else if (delta != 0) {
        restarts++;
      }
    }
    if (units < 0) {
      started = false;
      return;
    }
    started = true;
    expected = (sequence + units) & 0xFFFFFFFFL;
  }

  /** Estimated lost datagrams (NetFlow v9, sFlow) or records (NetFlow v5, IPFIX). */
  public long lost() {
    return lost;
  }

  public boolean countsRecords() {
    return countsRecords;
  }

  public long reorders() {
    return reorders;
  }

  public long restarts() {
    return restarts;
  }

  void write(DataOutput out) throws IOException {
    out.writeLong(key);
    out.writeBoolean(countsRecords);
    out.writeBoolean(started);
    out.writeLong(expected);
    out.writeLong(lost);
    out.writeLong(reorders);
    out.writeLong(restarts);
  }

  static SequenceTracker read(DataInput in) throws IOException {
    SequenceTracker t = new SequenceTracker(in.readLong(), in.readBoolean());
    t.started = in.readBoolean();
    t.expected = in.readLong();
    t.lost = in.readLong();
    t.reorders = in.readLong();
    t.restarts = in.readLong();
    return t;
  }
}
