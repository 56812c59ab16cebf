package io.sluice.l7.reassembly;

/** Bytes that all buffers together may hold; a buffer that cannot reserve drops data and counts it. */
public final class MemoryBudget {
  private final long limit;
  private long used;

  public MemoryBudget(long limit) {
    this.limit = limit;
  }

  /** A budget of which {@code used} bytes are already taken (restored from a checkpoint). */
  public MemoryBudget(long limit, long used) {
    this.limit = limit;
    this.used = Math.max(0, used);
  }

  public boolean reserve(long bytes) {
    if (used + bytes > limit) {
      return false;
    }
    used += bytes;
    return true;
  }

  public void release(long bytes) {
    used -= bytes;
  }

  public long used() {
    return used;
  }

  public long limit() {
    return limit;
  }
}
