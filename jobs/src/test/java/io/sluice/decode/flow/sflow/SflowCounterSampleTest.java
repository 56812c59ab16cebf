package io.sluice.decode.flow.sflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowSink;
import io.sluice.decode.flow.InterfaceCounters;
import io.sluice.ingest.pcap.ClassicPcapWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An sFlow counter sample decoded by Sluice and, from the same bytes in a pcap, by tshark. */
class SflowCounterSampleTest {
  private static final String[] TSHARK_FIELDS = {"sflow_245.ifindex", "sflow_245.iftype", "sflow_245.ifspeed",
      "sflow_245.ifdirection", "sflow_245.ifinoct", "sflow_245.ifinpkt", "sflow_245.ifinmcast", "sflow_245.ifinbcast",
      "sflow_245.ifindisc", "sflow_245.ifinerr", "sflow_245.ifinunk", "sflow_245.ifoutoct", "sflow_245.ifoutpkt",
      "sflow_245.ifoutmcast", "sflow_245.ifoutbcast", "sflow_245.ifoutdisc", "sflow_245.ifouterr",
      "sflow_245.ifpromisc", "sflow_245.dot3StatsAlignmentErrors", "sflow_245.dot3StatsFCSErrors",
      "sflow_245.dot3StatsLateCollisions", "sflow_245.dot3StatsFrameTooLongs"};

  static List<String> sluice(byte[] datagram) {
    List<InterfaceCounters> seen = new ArrayList<>();
    DecodeCounters counters = new DecodeCounters();
    new FlowDecoder().decode(datagram, 0, datagram.length, new byte[16], 1_700_000_000_000_000_000L, new ExporterState(),
        new FlowSink() {
          @Override
          public void flow(FlowRecord record) {}

          @Override
          public void interfaceCounters(InterfaceCounters c) {
            seen.add(c);
          }
        }, counters);
    assertEquals(0, counters.totalProblems(), counters.problems().toString());
    assertEquals(1, seen.size());
    InterfaceCounters c = seen.get(0);
    List<String> values = new ArrayList<>();
    for (long v : new long[] {c.ifIndex, c.ifType, c.ifSpeed, c.ifDirection, c.ifInOctets, c.ifInUcastPkts,
        c.ifInMulticastPkts, c.ifInBroadcastPkts, c.ifInDiscards, c.ifInErrors, c.ifInUnknownProtos, c.ifOutOctets,
        c.ifOutUcastPkts, c.ifOutMulticastPkts, c.ifOutBroadcastPkts, c.ifOutDiscards, c.ifOutErrors,
        c.ifPromiscuousMode, c.dot3AlignmentErrors, c.dot3FcsErrors, c.dot3LateCollisions, c.dot3FrameTooLongs}) {
      values.add(Long.toString(v));
    }
    return values;
  }

  @Test
  void sluiceAndTsharkReadTheSameCounters(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/tshark")), "tshark is installed by ./sluice test");
    byte[] datagram = new SflowCounterDatagram().bytes(42);
    Path pcap = dir.resolve("counters.pcap");
    writePcap(pcap, datagram);
    Process tshark = new ProcessBuilder(tsharkCommand(pcap)).redirectErrorStream(false).start();
    String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    tshark.waitFor(60, TimeUnit.SECONDS);
    assertEquals(List.of(out.split("\t")), sluice(datagram));
  }

  @Test
  void theValuesAreTheOnesBuilt() {
    SflowCounterDatagram built = new SflowCounterDatagram();
    List<String> values = sluice(built.bytes(1));
    assertEquals(Long.toString(built.inOctets), values.get(4));
    assertEquals(Long.toString(built.outOctets), values.get(11));
    assertEquals(Long.toString(built.dot3[10]), values.get(21), "frame too longs is the 11th Ethernet counter");
  }

  private static List<String> tsharkCommand(Path pcap) {
    List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-d", "udp.port==6343,sflow", "-T", "fields"));
    for (String field : TSHARK_FIELDS) {
      cmd.add("-e");
      cmd.add(field);
    }
    return cmd;
  }

  /** A one-frame classic pcap: Ethernet, IPv4 192.0.2.1 → 192.0.2.2, UDP 5000 → 6343. */
  private static void writePcap(Path file, byte[] payload) throws IOException {
    ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 8 + payload.length);
    frame.put(new byte[12]).putShort((short) 0x0800);
    frame.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + payload.length)).putInt(0)
        .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {(byte) 192, 0, 2, 1}).put(new byte[] {(byte) 192, 0, 2, 2});
    frame.putShort((short) 5000).putShort((short) 6343).putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
    Files.write(file, ClassicPcapWriter.ethernet(List.of(frame.array()), 1_700_000_000L, 0));
  }
}
