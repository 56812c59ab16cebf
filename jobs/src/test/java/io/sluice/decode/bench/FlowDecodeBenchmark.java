package io.sluice.decode.bench;

import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowSink;
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
 * Records decoded per second on one thread. One operation is one record (an IPFIX/v9 data record
 * with a 20-field template, or an sFlow flow sample with a 128-byte raw header parsed to L4). Each
 * benchmark runs in its own JVM, so the JIT sees one template there; {@code ipfixAndNetflowV9DataRecords}
 * decodes both, the way a decoder thread shared by several exporters does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FlowDecodeBenchmark {
  static final int RECORDS = 30;
  static final int SAMPLES = 8;

  private final FlowDecoder decoder = new FlowDecoder();
  private final DecodeCounters counters = new DecodeCounters();
  private final byte[] exporter = new byte[16];
  private ExporterState ipfixState;
  private ExporterState v9State;
  private ExporterState sflowState;
  private byte[] ipfixData;
  private byte[] v9Data;
  private byte[] sflowData;
  private Blackhole blackhole;
  private final FlowSink sink = this::consume;

  private void consume(FlowRecord r) {
    blackhole.consume(r.sampledBytes);
    blackhole.consume(r.srcAddr[15]);
  }

  @Setup
  public void setup(Blackhole bh) {
    blackhole = bh;
    ipfixState = new ExporterState();
    byte[] t = BenchDatagrams.ipfix(true, 0);
    decoder.decode(t, 0, t.length, exporter, 0, ipfixState, sink, counters);
    ipfixData = BenchDatagrams.ipfix(false, RECORDS);
    v9State = new ExporterState();
    t = BenchDatagrams.netflowV9(true, 0);
    decoder.decode(t, 0, t.length, exporter, 0, v9State, sink, counters);
    v9Data = BenchDatagrams.netflowV9(false, RECORDS);
    sflowState = new ExporterState();
    sflowData = BenchDatagrams.sflow(SAMPLES);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void ipfixDataRecords() {
    decoder.decode(ipfixData, 0, ipfixData.length, exporter, 0, ipfixState, sink, counters);
  }

  @Benchmark
  @OperationsPerInvocation(RECORDS)
  public void netflowV9DataRecords() {
    decoder.decode(v9Data, 0, v9Data.length, exporter, 0, v9State, sink, counters);
  }

  /** Both template protocols in one thread, as a decoder of several exporters sees them: a shared type profile. */
  @Benchmark
  @OperationsPerInvocation(2 * RECORDS)
  public void ipfixAndNetflowV9DataRecords() {
    decoder.decode(ipfixData, 0, ipfixData.length, exporter, 0, ipfixState, sink, counters);
    decoder.decode(v9Data, 0, v9Data.length, exporter, 0, v9State, sink, counters);
  }

  @Benchmark
  @OperationsPerInvocation(SAMPLES)
  public void sflowRawHeaderSamples() {
    decoder.decode(sflowData, 0, sflowData.length, exporter, 0, sflowState, sink, counters);
  }
}
