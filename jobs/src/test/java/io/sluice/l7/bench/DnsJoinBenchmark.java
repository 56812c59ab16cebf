package io.sluice.l7.bench;

import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Engine;
import io.sluice.l7.L7Sink;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * DNS over UDP through the whole pure pipeline: packet parse, DNS decode (answers formatted), join, row.
 * One operation is one DNS message; each pair of operations is a query and its response.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DnsJoinBenchmark {
  private static final int PAIRS = 4096;
  private byte[][] queries;
  private byte[][] responses;
  /** Responses with 30 answers (508 bytes) as the loader sends them at its default snap: 256 payload bytes. */
  private byte[][] snappedResponses;
  private L7Engine engine;
  private long ns;
  private int i;

  @Setup
  public void setUp(Blackhole bh) {
    queries = new byte[PAIRS][];
    responses = new byte[PAIRS][];
    snappedResponses = new byte[PAIRS][];
    int client = 0x0A000001;
    int server = 0x08080808;
    for (int k = 0; k < PAIRS; k++) {
      String name = "host" + k + ".example.com";
      queries[k] = BenchPackets.udp4(client, server, 20000 + k, 53, BenchPackets.dns(k, name, false));
      responses[k] = BenchPackets.udp4(server, client, 53, 20000 + k, BenchPackets.dns(k, name, true));
      snappedResponses[k] = BenchPackets.snapped(
          BenchPackets.udp4(server, client, 53, 20000 + k, BenchPackets.dnsAnswers(k, name, 30)), 28, 256);
    }
    engine = new L7Engine(L7Config.defaults(), new L7Sink() {
      @Override
      public void dns(DnsRow row) {
        bh.consume(row);
      }

      @Override
      public void http(HttpRow row) {
        bh.consume(row);
      }
    });
  }

  @Benchmark
  @OperationsPerInvocation(2)
  public void queryAndResponse() {
    int k = i++ & (PAIRS - 1);
    ns += 1_000;
    engine.onFrame(ns, 101, queries[k], queries[k].length);
    engine.onFrame(ns + 500, 101, responses[k], responses[k].length);
    if ((k & 255) == 0) {
      engine.advanceWatermark(ns);
    }
  }

  /** As {@link #queryAndResponse}, the response cut by the capture (a hole): decoded as far as captured, paired. */
  @Benchmark
  @OperationsPerInvocation(2)
  public void queryAndSnappedResponse() {
    int k = i++ & (PAIRS - 1);
    ns += 1_000;
    engine.onFrame(ns, 101, queries[k], queries[k].length);
    engine.onFrame(ns + 500, 101, snappedResponses[k], snappedResponses[k].length);
    if ((k & 255) == 0) {
      engine.advanceWatermark(ns);
    }
  }
}
