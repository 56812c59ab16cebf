package io.sluice.ingest.metrics;

import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram of durations with fixed buckets, lock-free to record from many threads. */
public final class LatencyHistogram {
  /** Upper bounds in seconds: 0.5 ms to 30 s. */
  public static final double[] DEFAULT_BOUNDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  private final double[] bounds;
  private final long[] boundsNs;
  private final LongAdder[] buckets;
  private final LongAdder sumNs = new LongAdder();
  private final LongAdder count = new LongAdder();

  public LatencyHistogram() {
    this(DEFAULT_BOUNDS);
  }

  public LatencyHistogram(double[] boundsSeconds) {
    this.bounds = boundsSeconds.clone();
    this.boundsNs = new long[bounds.length];
    this.buckets = new LongAdder[bounds.length + 1];
    for (int i = 0; i < bounds.length; i++) {
      boundsNs[i] = Math.round(bounds[i] * 1e9);
    }
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  public void recordNanos(long ns) {
    int i = 0;
    while (i < boundsNs.length && ns > boundsNs[i]) {
      i++;
    }
    buckets[i].increment();
    sumNs.add(ns);
    count.increment();
  }

  public long count() {
    return count.sum();
  }

  /** Writes name_bucket{le=...} (cumulative), name_sum (seconds) and name_count. */
  public void write(PrometheusText out, String name, String help, String... labels) {
    out.family(name, "histogram", help);
    long cumulative = 0;
    for (int i = 0; i < buckets.length; i++) {
      cumulative += buckets[i].sum();
      String le = i < bounds.length ? PrometheusText.format(bounds[i]) : "+Inf";
      out.sample(name + "_bucket", cumulative, concat(labels, "le", le));
    }
    out.sample(name + "_sum", sumNs.sum() / 1e9, labels);
    out.sample(name + "_count", count.sum(), labels);
  }

  private static String[] concat(String[] a, String k, String v) {
    String[] out = new String[a.length + 2];
    System.arraycopy(a, 0, out, 0, a.length);
    out[a.length] = k;
    out[a.length + 1] = v;
    return out;
  }
}
