package io.sluice.decode.bench;

import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;

/** Decodes each benchmark datagram once, for a unit test to check. */
public final class FlowDecodeBenchmarkCheck {
  private FlowDecodeBenchmarkCheck() {}

  public static DecodeCounters run() {
    FlowDecoder decoder = new FlowDecoder();
    DecodeCounters counters = new DecodeCounters();
    byte[] exporter = new byte[16];
    ExporterState ipfix = new ExporterState();
    ExporterState v9 = new ExporterState();
    for (byte[] d : new byte[][] {BenchDatagrams.ipfix(true, 0), BenchDatagrams.ipfix(false, FlowDecodeBenchmark.RECORDS)}) {
      decoder.decode(d, 0, d.length, exporter, 0, ipfix, r -> {}, counters);
    }
    for (byte[] d : new byte[][] {BenchDatagrams.netflowV9(true, 0), BenchDatagrams.netflowV9(false, FlowDecodeBenchmark.RECORDS)}) {
      decoder.decode(d, 0, d.length, exporter, 0, v9, r -> {}, counters);
    }
    byte[] s = BenchDatagrams.sflow(FlowDecodeBenchmark.SAMPLES);
    decoder.decode(s, 0, s.length, exporter, 0, new ExporterState(), r -> {}, counters);
    return counters;
  }
}
