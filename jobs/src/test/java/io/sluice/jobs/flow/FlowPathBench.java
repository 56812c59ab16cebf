package io.sluice.jobs.flow;

import com.google.protobuf.ByteString;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.store.rows.FlowRowEncoder;
import io.sluice.store.sink.RowBinary;
import io.sluice.wire.FlowDatagram;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Not a test: thread CPU per record of two steps of FlowJob's per-record path, in one thread, no Flink. The flows row's
 * RowBinary encoding (any build of the job's classes on the class path: run it against an older job jar to compare)
 * and the envelope read, protobuf's message and copies (the job before issue 22's fourth round) against
 * {@link RawDatagram#fromEnvelope}, per datagram of 18 records. The row encoding is measured twice: every column,
 * and as the sink writer does it (the record's filled columns found, then only the columns staged). CPU time of this thread, so other processes on the
 * machine slow it down less than wall time would show. Args: rows (default 5,000,000), rounds (default 5).
 */
public final class FlowPathBench {
  private FlowPathBench() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    var mx = ManagementFactory.getThreadMXBean();
    SplittableRandom random = new SplittableRandom(22);
    FlowRecord[] records = new FlowRecord[1024];
    for (int i = 0; i < records.length; i++) {
      FlowRecord r = new FlowRecord();
      r.time = 1_700_000_000L + i;
      r.flowStartMs = r.time * 1000 - 1000;
      r.flowEndMs = r.time * 1000;
      r.receivedNs = r.time * 1_000_000_000L;
      r.exporterName = "bench-ipfix";
      r.site = "demo";
      r.srcAddr[10] = r.srcAddr[11] = r.dstAddr[10] = r.dstAddr[11] = (byte) 0xFF;
      r.srcAddr[15] = (byte) random.nextInt(256);
      r.dstAddr[15] = (byte) random.nextInt(256);
      r.srcPort = 1024 + random.nextInt(60000);
      r.dstPort = 443;
      r.protocol = 6;
      r.sampledBytes = 64 + random.nextInt(1_000_000);
      r.sampledPackets = 1 + random.nextInt(1000);
      r.inIf = 1 + random.nextInt(48);
      r.outIf = 1 + random.nextInt(48);
      r.srcAs = 64512;
      r.dstAs = 15169;
      r.samplingRate = 1000;
      r.estBytes = r.sampledBytes * 1000;
      r.estPackets = r.sampledPackets * 1000;
      records[i] = r;
    }
    byte[] payload = new byte[1316];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) random.nextInt(256);
    }
    byte[] addr = new byte[16];
    addr[10] = addr[11] = (byte) 0xFF;
    byte[] envelope = FlowDatagram.newBuilder().setExporterAddr(ByteString.copyFrom(addr)).setExporterPort(40000)
        .setReceivedNs(1_700_000_000_000_000_000L).setCollectorId("bench").setPayload(ByteString.copyFrom(payload))
        .setUdpSourceAddr(ByteString.copyFrom(addr)).setSourceUpdatedNs(1).build().toByteArray();
    FlowRowEncoder encoder = new FlowRowEncoder();
    RowBinary out = new RowBinary(8 << 20);
    boolean fromEnvelope = hasFromEnvelope();
    for (int round = 0; round < rounds; round++) {
      long start = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < rows; i++) {
        if (out.size() > (7 << 20)) {
          out.clear();
        }
        encoder.encode(records[i & 1023], out);
      }
      long encodeNs = mx.getCurrentThreadCpuTime() - start;
      // As the sink writer encodes: the record's filled columns, then only the columns staged so far.
      out.clear();
      long staged = 0;
      start = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < rows; i++) {
        if (out.size() > (7 << 20)) {
          out.clear();
        }
        staged |= encoder.filledColumns(records[i & 1023]);
        encoder.encode(records[i & 1023], out, staged);
      }
      long filledNs = mx.getCurrentThreadCpuTime() - start;
      int datagrams = rows / 18;
      long sink = 0;
      start = mx.getCurrentThreadCpuTime();
      for (int i = 0; i < datagrams; i++) {
        sink += EnvelopeViaProtobuf.read(envelope).payload.length;
      }
      long protobufNs = mx.getCurrentThreadCpuTime() - start;
      long readNs = 0;
      if (fromEnvelope) {
        start = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < datagrams; i++) {
          sink += RawDatagram.fromEnvelope(envelope).payload.length;
        }
        readNs = mx.getCurrentThreadCpuTime() - start;
      }
      System.out.printf("round %d: row encoding %.1f ns/record, filled columns only %.1f ns/record; envelope per record"
          + " (18 a datagram): protobuf %.1f ns, fromEnvelope %s (%d)%n", round + 1, encodeNs / (double) rows,
          filledNs / (double) rows, protobufNs / (double) rows,
          fromEnvelope ? String.format("%.1f ns", readNs / (double) rows) : "n/a", sink % 7);
    }
  }

  private static boolean hasFromEnvelope() {
    try {
      RawDatagram.class.getDeclaredMethod("fromEnvelope", byte[].class);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }
}
