package io.sluice.l7.reassembly;

/** Receives one direction of a TCP stream, in order. */
public interface StreamConsumer {
  /** Bytes in stream order; {@code ts} is the capture time of the segment that carried them. */
  void onBytes(byte[] b, int off, int len, long ts);

  /** {@code missing} bytes will never arrive; the next bytes come after the hole. */
  void onGap(long missing, long ts);

  /**
   * {@code missing} bytes are in the stream here but were not captured (the capture's snap length cut the
   * segment): unlike a gap, their length and place are known.
   */
  void onHole(long missing, long ts);
}
