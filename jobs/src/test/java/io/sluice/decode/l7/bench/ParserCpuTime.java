package io.sluice.decode.l7.bench;

import io.sluice.decode.l7.http2.Http2Benchmark;
import io.sluice.decode.l7.tls.TlsBenchmark;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The JMH benchmarks' operations counted against this thread's CPU time as well as the wall clock. On a machine
 * shared with other builds, JMH's wall-clock score measures the share of a core the thread got; ops per CPU
 * second is what one core does. Run: {@code java -cp ... io.sluice.decode.l7.bench.ParserCpuTime [rounds]}.
 */
public final class ParserCpuTime {
  private ParserCpuTime() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    Blackhole bh = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
    Http2Benchmark h2 = new Http2Benchmark();
    h2.setUp(bh);
    TlsBenchmark tls = new TlsBenchmark();
    tls.setUp();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < rounds; round++) {
      long[] c = new long[4];
      long[] w = new long[4];
      int n = 500_000;
      c[0] = mx.getCurrentThreadCpuTime();
      w[0] = System.nanoTime();
      for (int i = 0; i < n; i++) {
        h2.rest();
      }
      c[1] = mx.getCurrentThreadCpuTime();
      w[1] = System.nanoTime();
      for (int i = 0; i < n; i++) {
        h2.grpc();
      }
      c[2] = mx.getCurrentThreadCpuTime();
      w[2] = System.nanoTime();
      for (int i = 0; i < 2 * n; i++) {
        tls.handshake(bh);
      }
      c[3] = mx.getCurrentThreadCpuTime();
      w[3] = System.nanoTime();
      System.out.printf("round %d: http2 rest %,.0f streams/cpu-s (%,.0f/wall-s); http2 grpc %,.0f (%,.0f);"
          + " tls %,.0f handshakes/cpu-s (%,.0f/wall-s)%n", round,
          n * 1e9 / (c[1] - c[0]), n * 1e9 / (w[1] - w[0]), n * 1e9 / (c[2] - c[1]), n * 1e9 / (w[2] - w[1]),
          2 * n * 1e9 / (c[3] - c[2]), 2 * n * 1e9 / (w[3] - w[2]));
    }
  }
}
