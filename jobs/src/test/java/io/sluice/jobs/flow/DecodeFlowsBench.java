package io.sluice.jobs.flow;

import io.sluice.decode.flow.FlowRecord;
import io.sluice.ingest.collect.UdpPayloads;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import io.sluice.jobs.BenchStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/**
 * CPU per flow record of FlowJob's keyed decode ({@link DecodeFlows}: exporter state, decode, sequence trackers) in
 * Flink's operator harness, heap or RocksDB state: a capture's datagrams (`sluice demo-exporter --pcap`), {@code
 * copies} times, the first fifth warm-up; no registry (unlabelled). Not a test; run as in BENCHMARKS.md:
 * {@code DecodeFlowsBench CAPTURE COPIES heap|rocksdb [KEY=VALUE ...]} (Flink options for the RocksDB backend).
 */
public final class DecodeFlowsBench {
  private DecodeFlowsBench() {}

  public static void main(String[] args) throws Exception {
    List<UdpPayloads.Datagram> datagrams = UdpPayloads.read(Path.of(args[0]));
    int copies = Integer.parseInt(args[1]);
    boolean rocks = args.length > 2 && args[2].equals("rocksdb");
    KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, FlowRecord> harness =
        new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(new DecodeFlows(null, "unused"),
            List.of(DecodeFlows.REGISTRY)), RawDatagram::key, Types.STRING, 1, 1, 0);
    if (rocks) {
      harness.setStateBackend(BenchStateBackend.fromArgs(args, 2));
    }
    harness.open();
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    int warmup = Math.max(1, copies / 5);
    long records = 0;
    long recordsStart = 0;
    long cpuStart = 0;
    long ns = 1_700_000_000_000_000_000L;
    for (int copy = 0; copy < copies; copy++) {
      if (copy == warmup) {
        recordsStart = records;
        cpuStart = mx.getCurrentThreadCpuTime();
      }
      for (UdpPayloads.Datagram d : datagrams) {
        RawDatagram r = new RawDatagram();
        r.exporterAddr = d.srcAddr16();
        r.udpSourceAddr = d.srcAddr16();
        r.receivedNs = ns += 1_000_000;
        r.collectorId = "bench";
        r.payload = d.payload();
        harness.processElement(r, ns / 1_000_000);
        records += harness.getOutput().size();
        harness.getOutput().clear();
        var stats = harness.getSideOutput(DecodeFlows.STATS);
        if (stats != null) {
          stats.clear();
        }
      }
    }
    long cpuNs = mx.getCurrentThreadCpuTime() - cpuStart;
    long measured = records - recordsStart;
    System.out.printf("%s, %s: %,d datagrams x %d copies, %,d records measured after %d warm-up copies, %.3f us CPU per record%n",
        args[0], BenchStateBackend.describe(args, 2), datagrams.size(), copies, measured, warmup, cpuNs / 1e3 / measured);
    harness.close();
  }
}
