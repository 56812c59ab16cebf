package io.sluice.ingest.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {
  @Test
  void familiesSamplesAndEscaping() {
    PrometheusText t = new PrometheusText();
    t.family("x_total", "counter", "Things");
    t.sample("x_total", 3, "a", "q\"uo\\te\nd");
    t.family("x_total", "counter", "Things");
    t.sample("x_total", 0.25);
    assertEquals("# HELP x_total Things\n# TYPE x_total counter\nx_total{a=\"q\\\"uo\\\\te\\nd\"} 3\nx_total 0.25\n", t.toString());
  }

  @Test
  void histogramIsCumulative() {
    LatencyHistogram h = new LatencyHistogram(new double[] {0.001, 0.01});
    h.recordNanos(500_000);
    h.recordNanos(5_000_000);
    h.recordNanos(50_000_000);
    PrometheusText t = new PrometheusText();
    h.write(t, "lat_seconds", "Latency");
    assertEquals("""
        # HELP lat_seconds Latency
        # TYPE lat_seconds histogram
        lat_seconds_bucket{le="0.001"} 1
        lat_seconds_bucket{le="0.01"} 2
        lat_seconds_bucket{le="+Inf"} 3
        lat_seconds_sum 0.0555
        lat_seconds_count 3
        """, t.toString());
  }
}
