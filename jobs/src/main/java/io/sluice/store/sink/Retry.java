package io.sluice.store.sink;

import io.sluice.store.ClickHouseException;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries ClickHouse calls while the failure is transient, forever, with capped exponential backoff: a sink
 * that waits applies backpressure upstream instead of dropping rows. Other failures are thrown at once, which
 * fails the job visibly.
 */
final class Retry {
  private static final Logger LOG = LoggerFactory.getLogger(Retry.class);
  /** Server codes worth waiting out: timeouts, network, overload, too many parts, memory, shutdown. */
  private static final Set<Integer> TRANSIENT = Set.of(159, 164, 202, 203, 209, 210, 241, 252, 285, 319, 425, 999,
      500, 502, 503, 504);

  private Retry() {}

  static boolean isTransient(ClickHouseException e) {
    if (e.code() == 252 && e.getMessage() != null && e.getMessage().contains("partitions for single INSERT block")) {
      return false; // the same code as "too many parts", but this block will span too many partitions every time
    }
    return e.code() < 0 || TRANSIENT.contains(e.code());
  }

  static <T> T transientForever(String what, long maxBackoffMillis, Supplier<T> call) throws InterruptedException {
    long backoff = 100;
    int attempt = 0;
    while (true) {
      try {
        return call.get();
      } catch (ClickHouseException e) {
        if (!isTransient(e)) {
          throw e;
        }
        attempt++;
        if (attempt == 1 || attempt % 10 == 0) {
          LOG.warn("{} failed (attempt {}), retrying in {} ms: {}", what, attempt, backoff, e.getMessage());
        }
        Thread.sleep(backoff);
        backoff = Math.min(maxBackoffMillis, backoff * 2);
      }
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException(what + " interrupted");
      }
    }
  }
}
