package io.sluice.decode.flow;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One exporter's sequence trackers (at most {@link #MAX}): the part of its {@link ExporterState} that changes with
 * every datagram, so a Flink job keeps it as an object of its own (held by reference on the heap backend) instead of
 * writing it out after each datagram. Binary form: an unsigned short count, then each tracker.
 */
public final class SequenceTrackers {
  public static final int MAX = 256;

  private final List<SequenceTracker> trackers = new ArrayList<>();

  /** The tracker for a stream key, created on first use; null when the table is full. */
  SequenceTracker get(long key, boolean countsRecords) {
    for (int i = 0, n = trackers.size(); i < n; i++) {
      SequenceTracker t = trackers.get(i);
      if (t.key == key) return t;
    }
    if (trackers.size() >= MAX) return null;
    SequenceTracker t = new SequenceTracker(key, countsRecords);
    trackers.add(t);
    return t;
  }

  public List<SequenceTracker> list() {
    return trackers;
  }

  public boolean isEmpty() {
    return trackers.isEmpty();
  }

  /** A copy that shares no tracker with this one. */
  public SequenceTrackers copy() {
    SequenceTrackers copy = new SequenceTrackers();
    for (SequenceTracker t : trackers) copy.trackers.add(t.copy());
    return copy;
  }

  public void write(DataOutput out) throws IOException {
    out.writeShort(trackers.size());
    for (SequenceTracker t : trackers) t.write(out);
  }

  /** Reads what {@link #write} wrote; IOException on a count over {@link #MAX}. */
  public static SequenceTrackers read(DataInput in) throws IOException {
    int n = in.readUnsignedShort();
    if (n > MAX) throw new IOException("too many sequence trackers: " + n);
    SequenceTrackers read = new SequenceTrackers();
    for (int i = 0; i < n; i++) read.trackers.add(SequenceTracker.read(in));
    return read;
  }
}
