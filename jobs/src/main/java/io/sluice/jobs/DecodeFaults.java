package io.sluice.jobs;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Flink operators do when decode logic throws on one record (a decoder bug a crafted input found): the
 * operator counts a problem for that record and goes on, never failing the task, since a restart would re-read the
 * same record and fail again. Only {@link RuntimeException} and {@link StackOverflowError} are contained; other
 * errors (out of memory) still fail the task. The first few are logged with their stack trace, then one in 10,000.
 */
public final class DecodeFaults {
  private static final Logger LOG = LoggerFactory.getLogger(DecodeFaults.class);
  private static final AtomicLong SEEN = new AtomicLong();

  private DecodeFaults() {}

  /**
   * What an operator's outputs threw: a chained operator downstream (a sink) failed. Wrapped so that it is not taken
   * for a decoder fault; {@link #rethrowIfNotContainable} unwraps it and the task fails as it should.
   */
  public static final class Downstream extends RuntimeException {
    public Downstream(RuntimeException cause) {
      super(cause);
    }
  }

  /** Rethrows what must fail the task: a {@link Downstream} failure (unwrapped), anything but RuntimeException or StackOverflowError. */
  public static void rethrowIfNotContainable(Throwable t) {
    if (t instanceof Downstream) {
      throw (RuntimeException) t.getCause();
    }
    if (t instanceof Error && !(t instanceof StackOverflowError)) {
      throw (Error) t;
    }
    if (!(t instanceof RuntimeException) && !(t instanceof StackOverflowError)) {
      throw new IllegalStateException(t);
    }
  }

  /** Logs a contained fault: the operator, whose record (exporter or node) and the exception. */
  public static void log(String operator, String whose, Throwable t) {
    long n = SEEN.incrementAndGet();
    if (n <= 10 || n % 10_000 == 0) {
      LOG.warn("{}: decoding a record of {} threw; counted as a problem and skipped (fault {} in this JVM)",
          operator, whose, n, t);
    }
  }
}
