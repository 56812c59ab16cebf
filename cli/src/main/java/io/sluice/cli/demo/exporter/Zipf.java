package io.sluice.cli.demo.exporter;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks 0..n-1 with probability proportional to 1/(k+1)^s: a few heavy hitters and a long tail. */
final class Zipf {
  private final double[] cumulative;

  Zipf(int n, double s) {
    cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, s);
      cumulative[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
  }

  int next(SplittableRandom random) {
    int i = Arrays.binarySearch(cumulative, random.nextDouble());
    return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
  }
}
