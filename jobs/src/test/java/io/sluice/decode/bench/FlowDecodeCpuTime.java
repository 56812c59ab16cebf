package io.sluice.decode.bench;

import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowSink;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The JMH benchmark's IPFIX and NetFlow v9 datagrams timed by this thread's CPU time, not the wall clock:
 * on a machine shared with other builds the wall-clock score follows the load more than the code. Prints
 * the median of 8 rounds of 3 M records each, after 4 rounds of warm-up, in records per CPU second.
 * Run: java -cp target/test-classes:target/classes:CP io.sluice.decode.bench.FlowDecodeCpuTime
 */
public final class FlowDecodeCpuTime {
  private static final int RECORDS_PER_ROUND = 3_000_000;
  private static long sink;

  public static void main(String[] args) {
    for (String protocol : new String[] {"ipfix", "netflow9"}) {
      boolean ipfix = protocol.equals("ipfix");
      FlowDecoder decoder = new FlowDecoder();
      ExporterState state = new ExporterState();
      DecodeCounters counters = new DecodeCounters();
      byte[] exporter = new byte[16];
      byte[] template = ipfix ? BenchDatagrams.ipfix(true, 0) : BenchDatagrams.netflowV9(true, 0);
      byte[] data = ipfix ? BenchDatagrams.ipfix(false, FlowDecodeBenchmark.RECORDS)
          : BenchDatagrams.netflowV9(false, FlowDecodeBenchmark.RECORDS);
      FlowSink consume = r -> sink += r.sampledBytes + r.srcPort;
      decoder.decode(template, 0, template.length, exporter, 0, state, consume, counters);
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      int datagrams = RECORDS_PER_ROUND / FlowDecodeBenchmark.RECORDS;
      double[] rates = new double[8];
      for (int round = -4; round < rates.length; round++) {
        long start = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < datagrams; i++) decoder.decode(data, 0, data.length, exporter, i, state, consume, counters);
        long ns = cpu.getCurrentThreadCpuTime() - start;
        if (round >= 0) rates[round] = datagrams * (double) FlowDecodeBenchmark.RECORDS / (ns / 1e9);
      }
      Arrays.sort(rates);
      System.out.printf("%s: median %.2f M records per CPU second (min %.2f, max %.2f)%n", protocol,
          (rates[3] + rates[4]) / 2e6, rates[0] / 1e6, rates[7] / 1e6);
    }
    if (sink == 42) System.out.println();
  }
}
