package io.sluice.jobs.l7;

/**
 * {@link JoinOperatorBench}'s bytes allocated per stage of the packet's path (exact: the thread's allocated bytes
 * between marks; with {@code -Dbench.stages=true}, which costs some CPU per packet, so not for CPU figures).
 */
class Stages {
  static final int PARSE = 0;
  static final int TRIAGE = 1;
  static final int EDGE = 2;
  static final int QUEUE = 3;
  static final int JOIN = 4;
  static final int SNAPSHOT = 5;
  private static final String[] NAMES = {"record parse", "triage (+ the harness's copy of its output)", "edge (serialise + deserialise)",
      "join: queue the packet", "join: timers, conversations, rows (+ the harness's copy of the rows)", "snapshots"};
  static final Stages OFF = new Stages(null);

  private final com.sun.management.ThreadMXBean mx;
  private final long[] bytes = new long[NAMES.length];
  private long at;

  Stages(com.sun.management.ThreadMXBean mx) {
    this.mx = mx;
  }

  void mark() {
    if (mx != null) {
      at = mx.getCurrentThreadAllocatedBytes();
    }
  }

  /** Charges the bytes since the last mark to {@code stage}, and marks. */
  void add(int stage) {
    if (mx != null) {
      long now = mx.getCurrentThreadAllocatedBytes();
      bytes[stage] += now - at;
      at = now;
    }
  }

  void reset() {
    java.util.Arrays.fill(bytes, 0);
  }

  void print(long packets) {
    if (mx == null) {
      return;
    }
    for (int i = 0; i < NAMES.length; i++) {
      System.out.printf("  %-70s %,8.1f bytes per packet%n", NAMES[i], (double) bytes[i] / packets);
    }
  }
}
