package io.sluice.jobs.l7;

import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

/**
 * CPU per packet of the L7Job's per-packet operators without Kafka or the network: a capture's frames, {@code copies}
 * times (each copy its own node, later in event time), through {@link TriagePackets} and {@link JoinConversations}
 * in Flink's operator test harnesses, with the watermark following the capture time as the job's does and a
 * checkpoint snapshot every {@code snapshot-every} packets. Prints the thread's CPU time per packet (warm-up copies
 * apart). Not a test; run as in BENCHMARKS.md: {@code JoinOperatorBench CAPTURE COPIES heap|rocksdb}.
 */
public final class JoinOperatorBench {
  private JoinOperatorBench() {}

  public static void main(String[] args) throws Exception {
    Path capture = Path.of(args[0]);
    int copies = Integer.parseInt(args[1]);
    boolean rocks = args.length > 2 && args[2].equals("rocksdb");
    int snapshotEvery = 50_000;
    List<CaptureFrame> frames = new ArrayList<>();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    try (CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame f : reader) {
        frames.add(f);
        first = Math.min(first, f.timestampNs());
        last = Math.max(last, f.timestampNs());
      }
    }
    long span = last - first + 60_000_000_000L;
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    OneInputStreamOperatorTestHarness<CapturedFrame, KeyedPacket> triage =
        ProcessFunctionTestHarnesses.forProcessFunction(new TriagePackets());
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> join =
        ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(new JoinConversations(), KeyedPacket::key,
            KeyedSocket::key, Types.STRING);
    if (rocks) {
      join.setStateBackend(new EmbeddedRocksDBStateBackend());
    }
    triage.open();
    join.open();
    long packets = 0;
    long rows = 0;
    long checkpoint = 0;
    int warmup = Math.max(1, copies / 5);
    long cpuStart = 0;
    long allocStart = 0;
    long packetsStart = 0;
    long rowsStart = 0;
    for (int copy = 0; copy < copies; copy++) {
      if (copy == warmup) {
        cpuStart = mx.getCurrentThreadCpuTime();
        allocStart = mx.getCurrentThreadAllocatedBytes();
        packetsStart = packets;
        rowsStart = rows;
      }
      long shift = copy * span;
      String node = "bench-" + copy;
      long maxNs = Long.MIN_VALUE;
      for (CaptureFrame f : frames) {
        CapturedFrame c = new CapturedFrame();
        c.capturedNs = f.timestampNs() + shift;
        c.node = node;
        c.linkType = f.linkType();
        c.data = f.data();
        triage.processElement(c, c.capturedNs / 1_000_000L);
        for (KeyedPacket p : triage.extractOutputValues()) {
          join.processElement1(p, p.capturedNs / 1_000_000L);
        }
        triage.getOutput().clear();
        maxNs = Math.max(maxNs, c.capturedNs);
        if (++packets % 500 == 0) {
          join.processBothWatermarks(new Watermark((maxNs - 1_000_000_000L) / 1_000_000L));
          rows += join.extractOutputValues().size();
          join.getOutput().clear();
        }
        if (packets % snapshotEvery == 0) {
          join.snapshot(++checkpoint, checkpoint);
        }
      }
    }
    join.processBothWatermarks(new Watermark(Long.MAX_VALUE));
    rows += join.extractOutputValues().size() + join.getSideOutput(JoinConversations.HTTP).size();
    long cpuNs = mx.getCurrentThreadCpuTime() - cpuStart;
    long allocated = mx.getCurrentThreadAllocatedBytes() - allocStart;
    long measured = packets - packetsStart;
    System.out.printf("%s, %s: %,d packets (%,d measured after %d warm-up copies), %,d dns rows + http rows, "
        + "%.2f us CPU and %,d bytes allocated per packet (triage + join + %d snapshots)%n", capture.getFileName(),
        rocks ? "rocksdb" : "heap", packets, measured, warmup, rows, cpuNs / 1e3 / measured, allocated / measured,
        checkpoint);
    triage.close();
    join.close();
  }
}
