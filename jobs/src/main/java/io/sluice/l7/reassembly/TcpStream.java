package io.sluice.l7.reassembly;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.ProblemCounts;

/**
 * Reassembles one direction of a TCP connection. In-order bytes go straight to the consumer, without
 * copying; out-of-order segments are copied and held, bounded by {@link #MAX_SEGMENTS}, {@link #MAX_BYTES}
 * and the shared {@link MemoryBudget}. When a bound is hit, or the peer acknowledges bytes that the capture
 * never showed, the stream skips to its earliest held segment and reports the hole as a gap.
 * A segment the capture cut short (its IP length says more than was captured) occupies its whole length: its
 * uncaptured tail goes to the consumer as a hole of known length ({@link StreamConsumer#onHole}), not a gap.
 * Sequence numbers are compared modulo 2^32.
 */
public final class TcpStream {
  public static final int MAX_SEGMENTS = 32;
  static final int MAX_BYTES = 64 * 1024;

  private boolean started;
  private boolean delivered;
  private int next;
  private boolean finished;
  private int finSeq;
  private boolean finSeen;
  private int count;
  private int heldBytes;
  // Allocated on the first out-of-order segment: most streams never need them, and idle ones cost little.
  private int[] seqs;
  private byte[][] held;
  private long[] times;
  /** Per held segment: its length on the wire (at least its captured length). */
  private int[] wires;

  /** True when a segment at {@code seq32} would be this direction's first byte (nothing delivered or held yet). */
  public boolean atStart(long seq32) {
    return !started || (!delivered && count == 0 && (int) seq32 == next);
  }

  /** The SYN (or SYN-ACK) of this direction: data starts at isn + 1. */
  public void onSyn(long isn) {
    if (!started) {
      started = true;
      next = (int) isn + 1;
    }
  }

  /**
   * A segment of {@code wire} bytes starting at {@code seq32}, of which the first {@code len} were captured, at
   * {@code b[off]}.
   */
  public void onSegment(long seq32, byte[] b, int off, int len, int wire, boolean fin, long ts, StreamConsumer c,
      MemoryBudget budget, ProblemCounts problems) {
    int seq = (int) seq32;
    wire = Math.max(wire, len);
    if (!started) {
      started = true;
      next = seq;
    }
    if (fin && !finSeen) {
      finSeen = true;
      finSeq = seq + wire;
    }
    if (wire > 0 && !finished) {
      int rel = seq - next;
      if (rel <= 0) {
        deliver(seq, b, off, len, wire, ts, c, budget);
        drain(c, budget);
      } else {
        hold(seq, b, off, len, wire, ts, c, budget, problems);
      }
    }
    if (finSeen && finSeq - next <= 0 && count == 0) {
      finished = true;
    }
  }

  /** The peer acknowledged up to {@code ack}: bytes before it that we hold behind a hole will not be filled. */
  public void onPeerAck(long ack32, long ts, StreamConsumer c, MemoryBudget budget, ProblemCounts problems) {
    if (started && count > 0) {
      int ack = (int) ack32;
      int first = earliest();
      if (ack - next > 0 && seqs[first] - ack < 0) {
        skipTo(seqs[first], ts, c, problems);
        drain(c, budget);
      }
    }
  }

  /** Delivers everything held, with gaps for the holes, e.g. when the connection ends or is evicted. */
  public void flush(long ts, StreamConsumer c, MemoryBudget budget, ProblemCounts problems) {
    while (count > 0) {
      skipTo(seqs[earliest()], ts, c, problems);
      drain(c, budget);
    }
  }

  public boolean finished() {
    return finished;
  }

  public int heldBytes() {
    return heldBytes;
  }

  /**
   * Delivers what of a segment starting at or before {@code next} is new: its captured bytes, then its uncaptured
   * tail as a hole, except where held segments (captured earlier, out of order) cover part of that tail.
   */
  private void deliver(int seq, byte[] b, int off, int len, int wire, long ts, StreamConsumer c,
      MemoryBudget budget) {
    long skip = -(long) (seq - next); // a long: -Integer.MIN_VALUE does not fit an int
    if (skip >= wire) {
      return;
    }
    delivered = true;
    if (skip < len) {
      c.onBytes(b, off + (int) skip, len - (int) skip, ts);
      next = seq + len;
    }
    int holeEnd = seq + wire;
    while (holeEnd - next > 0) {
      int i = count > 0 ? earliest() : -1;
      if (i < 0 || seqs[i] - holeEnd >= 0) {
        c.onHole((holeEnd - next) & 0xFFFFFFFFL, ts);
        next = holeEnd;
        return;
      }
      if (seqs[i] - next > 0) {
        c.onHole((seqs[i] - next) & 0xFFFFFFFFL, ts);
        next = seqs[i];
      }
      byte[] data = held[i];
      int heldSeq = seqs[i];
      int heldWire = wires[i];
      long heldTs = times[i];
      remove(i, budget);
      deliver(heldSeq, data, 0, data.length, heldWire, heldTs, c, budget);
    }
  }

  private void hold(int seq, byte[] b, int off, int len, int wire, long ts, StreamConsumer c, MemoryBudget budget,
      ProblemCounts problems) {
    for (int attempt = 0; attempt < 2; attempt++) {
      if (count < MAX_SEGMENTS && heldBytes + len <= MAX_BYTES && budget.reserve(len)) {
        if (seqs == null) {
          allocate();
        }
        seqs[count] = seq;
        held[count] = java.util.Arrays.copyOfRange(b, off, off + len);
        times[count] = ts;
        wires[count] = wire;
        count++;
        heldBytes += len;
        return;
      }
      problems.add(L7Problem.TCP_OUT_OF_ORDER_OVERFLOW);
      if (count == 0) {
        break;
      }
      skipTo(seqs[earliest()], ts, c, problems);
      drain(c, budget);
      if (seq - next <= 0) {
        deliver(seq, b, off, len, wire, ts, c, budget);
        drain(c, budget);
        return;
      }
    }
    // Nothing held and still no room: this segment starts after a hole we can never fill.
    skipTo(seq, ts, c, problems);
    deliver(seq, b, off, len, wire, ts, c, budget);
  }

  private void allocate() {
    seqs = new int[MAX_SEGMENTS];
    held = new byte[MAX_SEGMENTS][];
    times = new long[MAX_SEGMENTS];
    wires = new int[MAX_SEGMENTS];
  }

  private void skipTo(int seq, long ts, StreamConsumer c, ProblemCounts problems) {
    int missing = seq - next;
    if (missing > 0) {
      problems.add(L7Problem.TCP_GAP);
      c.onGap(missing & 0xFFFFFFFFL, ts);
      next = seq;
    }
  }

  /** Delivers held segments that now continue the stream. */
  private void drain(StreamConsumer c, MemoryBudget budget) {
    boolean progress = true;
    while (progress && count > 0) {
      progress = false;
      for (int i = 0; i < count; i++) {
        int rel = seqs[i] - next;
        if (rel <= 0) {
          byte[] data = held[i];
          int seq = seqs[i];
          int wire = wires[i];
          long ts = times[i];
          remove(i, budget);
          deliver(seq, data, 0, data.length, wire, ts, c, budget);
          progress = true;
          break;
        }
      }
    }
  }

  private int earliest() {
    int best = 0;
    for (int i = 1; i < count; i++) {
      if (seqs[i] - seqs[best] < 0) {
        best = i;
      }
    }
    return best;
  }

  private void remove(int i, MemoryBudget budget) {
    int len = held[i].length;
    heldBytes -= len;
    budget.release(len);
    count--;
    seqs[i] = seqs[count];
    held[i] = held[count];
    times[i] = times[count];
    wires[i] = wires[count];
    held[count] = null;
  }

  public void write(java.io.DataOutput out) throws java.io.IOException {
    // One byte as before (a boolean): bit 1 is "delivered", which older states lack (read as not delivered).
    out.writeByte(started ? (delivered ? 3 : 1) : 0);
    out.writeInt(next);
    out.writeBoolean(finished);
    out.writeInt(finSeq);
    out.writeBoolean(finSeen);
    out.writeInt(count);
    for (int i = 0; i < count; i++) {
      out.writeInt(seqs[i]);
      out.writeLong(times[i]);
      out.writeInt(wires[i]);
      StateIO.writeBytes(out, held[i]);
    }
  }

  /** Restores what {@link #write} wrote into this new stream; held bytes are reserved from {@code budget}. */
  public void read(java.io.DataInput in, MemoryBudget budget) throws java.io.IOException {
    int flags = in.readByte();
    started = flags != 0;
    delivered = (flags & 2) != 0;
    next = in.readInt();
    finished = in.readBoolean();
    finSeq = in.readInt();
    finSeen = in.readBoolean();
    count = in.readInt();
    if (count > 0) {
      allocate();
      for (int i = 0; i < count; i++) {
        seqs[i] = in.readInt();
        times[i] = in.readLong();
        wires[i] = in.readInt();
        held[i] = StateIO.readBytes(in);
        heldBytes += held[i].length;
      }
      budget.reserve(heldBytes);
    }
  }

  /** Releases held bytes without delivering them. */
  public void discard(MemoryBudget budget) {
    budget.release(heldBytes);
    heldBytes = 0;
    seqs = null;
    held = null;
    times = null;
    wires = null;
    count = 0;
  }
}
