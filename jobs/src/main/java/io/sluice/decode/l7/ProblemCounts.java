package io.sluice.decode.l7;

import java.util.EnumMap;
import java.util.Map;

/** Counters of {@link L7Problem}s: a plain long array, cheap to bump on hot paths. */
public final class ProblemCounts {
  private final long[] counts = new long[L7Problem.values().length];

  public void add(L7Problem problem) {
    counts[problem.ordinal()]++;
  }

  public void add(L7Problem problem, long n) {
    counts[problem.ordinal()] += n;
  }

  public long get(L7Problem problem) {
    return counts[problem.ordinal()];
  }

  public long total() {
    long sum = 0;
    for (long c : counts) {
      sum += c;
    }
    return sum;
  }

  /** The non-zero counts, in declaration order. */
  public Map<L7Problem, Long> nonZero() {
    Map<L7Problem, Long> out = new EnumMap<>(L7Problem.class);
    for (L7Problem p : L7Problem.values()) {
      if (counts[p.ordinal()] != 0) {
        out.put(p, counts[p.ordinal()]);
      }
    }
    return out;
  }
}
