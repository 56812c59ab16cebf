package io.sluice.jobs.l7;

import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.sluice.ingest.PacketBatches;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import com.google.protobuf.ByteString;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import java.util.Optional;
import org.apache.flink.runtime.state.VoidNamespace;
import io.sluice.jobs.BenchStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

/**
 * CPU per packet of the L7Job's per-packet work without a broker or a cluster: a capture's frames, {@code copies}
 * times (each copy its own node, later in event time), as Kafka records of {@value #BATCH} packets
 * ({@code CapturedPacketBatch}, as the loader and {@code sluice replay} send them) read by {@link PacketRecords}, through
 * {@link TriagePackets}, across the network edge to the join (each packet serialised and deserialised by its Flink
 * type serializer, as the shuffle does) and {@link JoinConversations} in Flink's operator test harnesses, with the watermark following the capture time as the job's does and a
 * checkpoint snapshot every {@code snapshot-every} packets. Prints the thread's CPU time per packet (warm-up copies
 * apart). Not a test; run as in BENCHMARKS.md: {@code JoinOperatorBench CAPTURE COPIES heap|rocksdb [KEY=VALUE ...]},
 * the KEY=VALUE pairs being Flink options given to the RocksDB backend as a TaskManager's configuration gives them
 * (the manifests' {@code state.backend.rocksdb.*} keys). Before the final watermark it also prints the open keys, a
 * full snapshot's size per key and (heap backend) the live heap the state holds per key, an estimate from the used
 * heap after a GC with the state and after it is emptied.
 */
public final class JoinOperatorBench {
  static final int BATCH = 64;

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
    // main's JoinConversations as well as this one's (BENCHMARKS.md compares them), so not JoinOperator
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> join =
        JoinConversationsStateTest.harness(new KeyedCoProcessOperator<>(new JoinConversations()), false);
    if (rocks) {
      join.setStateBackend(BenchStateBackend.fromArgs(args, 2));
    }
    triage.open();
    join.open();
    PacketRecords source = new PacketRecords();
    source.open(OpenedOutsideFlink.context(new UnregisteredMetricsGroup()));
    List<CapturedFrame> parsed = new ArrayList<>();
    Collector<CapturedFrame> collector = new Collector<>() {
      @Override
      public void collect(CapturedFrame f) {
        parsed.add(f);
      }

      @Override
      public void close() {}
    };
    TypeSerializer<KeyedPacket> edge = TypeInformation.of(KeyedPacket.class).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer wire = new DataOutputSerializer(4096);
    DataInputDeserializer received = new DataInputDeserializer();
    List<List<ConsumerRecord<byte[], byte[]>>> perCopy = new ArrayList<>();
    for (int copy = 0; copy < copies; copy++) {
      perCopy.add(records(frames, copy * span, "bench-" + copy));
    }
    Stages stages = Boolean.getBoolean("bench.stages") ? new Stages(mx) : Stages.OFF;
    long packets = 0;
    long rows = 0;
    long checkpoint = 0;
    int warmup = Math.max(1, copies / 5);
    long cpuStart = 0;
    long processStart = 0;
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long allocStart = 0;
    long packetsStart = 0;
    long rowsStart = 0;
    for (int copy = 0; copy < copies; copy++) {
      if (copy == warmup) {
        packetsStart = packets;
        rowsStart = rows;
      }
      long maxNs = Long.MIN_VALUE;
      if (copy == warmup) {
        stages.reset();
        cpuStart = mx.getCurrentThreadCpuTime();
        processStart = os.getProcessCpuTime();
        allocStart = mx.getCurrentThreadAllocatedBytes();
      }
      for (ConsumerRecord<byte[], byte[]> record : perCopy.get(copy)) {
        parsed.clear();
        stages.mark();
        source.deserialize(record, collector);
        stages.add(Stages.PARSE);
        for (CapturedFrame c : parsed) {
          triage.processElement(c, c.capturedNs / 1_000_000L);
          stages.add(Stages.TRIAGE);
          for (KeyedPacket sent : triage.extractOutputValues()) {
            stages.mark();
            wire.clear();
            edge.serialize(sent, wire);
            received.setBuffer(wire.getSharedBuffer(), 0, wire.length());
            KeyedPacket p = edge.deserialize(received);
            stages.add(Stages.EDGE);
            join.processElement1(p, p.capturedNs / 1_000_000L);
            stages.add(Stages.QUEUE);
          }
          triage.getOutput().clear();
          maxNs = Math.max(maxNs, c.capturedNs);
          stages.mark();
          if (++packets % 500 == 0) {
            join.processBothWatermarks(new Watermark((maxNs - 1_000_000_000L) / 1_000_000L));
            stages.add(Stages.JOIN);
            rows += join.extractOutputValues().size();
            join.getOutput().clear();
            stages.mark();
          }
          if (packets % snapshotEvery == 0) {
            join.snapshot(++checkpoint, checkpoint);
            stages.add(Stages.SNAPSHOT);
          }
        }
      }
    }
    long cpuNs = mx.getCurrentThreadCpuTime() - cpuStart;
    long processNs = os.getProcessCpuTime() - processStart;
    long allocated = mx.getCurrentThreadAllocatedBytes() - allocStart;
    rows += join.extractOutputValues().size() + join.getSideOutput(JoinConversations.HTTP).size();
    join.getOutput().clear();
    long keys = join.getOperator().getKeyedStateBackend().getKeys("join", VoidNamespace.INSTANCE).count();
    long snapshotBytes = join.snapshot(++checkpoint, checkpoint).getStateSize();
    long withState = usedAfterGc();
    join.processBothWatermarks(new Watermark(Long.MAX_VALUE));
    rows += join.extractOutputValues().size() + join.getSideOutput(JoinConversations.HTTP).size();
    join.getOutput().clear();
    long emptied = usedAfterGc();
    System.out.printf("before the final watermark: %,d keys open, full snapshot %,d bytes (%,d per key), live heap "
        + "held by the state about %,d bytes (%,d per key; meaningful on the heap backend)%n", keys, snapshotBytes,
        snapshotBytes / Math.max(1, keys), withState - emptied, (withState - emptied) / Math.max(1, keys));
    long measured = packets - packetsStart;
    stages.print(measured);
    System.out.printf("%s, %s: %,d packets (%,d measured after %d warm-up copies), %,d dns rows + http rows, "
        + "%.2f us CPU and %,d bytes allocated per packet (record parse + triage + edge + join + %d snapshots); "
        + "the process (GC, JIT, RocksDB's threads too) %.2f us CPU per packet%n", capture.getFileName(),
        BenchStateBackend.describe(args, 2), packets, measured, warmup, rows, cpuNs / 1e3 / measured, allocated / measured,
        checkpoint, processNs / 1e3 / measured);
    triage.close();
    join.close();
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** One copy's frames as Kafka records of up to {@link #BATCH} packets (the record bytes are made before timing). */
  private static List<ConsumerRecord<byte[], byte[]>> records(List<CaptureFrame> frames, long shift, String node) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    CapturedPacketBatch.Builder batch = CapturedPacketBatch.newBuilder();
    for (int i = 0; i < frames.size(); i++) {
      CaptureFrame f = frames.get(i);
      batch.addPackets(CapturedPacket.newBuilder().setCapturedNs(f.timestampNs() + shift).setNode(node)
          .setLinkTypeValue(f.linkType()).setSnapLen(f.data().length).setOrigLen(f.data().length)
          .setData(ByteString.copyFrom(f.data())));
      if (batch.getPacketsCount() == BATCH || i == frames.size() - 1) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(PacketBatches.MESSAGE_HEADER, PacketBatches.BATCH_BYTES);
        records.add(new ConsumerRecord<>("bench", 0, records.size(), 0L, TimestampType.CREATE_TIME, 0, 0, null,
            batch.build().toByteArray(), headers, Optional.empty()));
        batch = CapturedPacketBatch.newBuilder();
      }
    }
    return records;
  }
}
