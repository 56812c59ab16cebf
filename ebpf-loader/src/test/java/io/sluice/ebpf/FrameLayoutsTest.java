package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.ingest.Topics;
import io.sluice.ingest.pcap.ClassicPcapWriter;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.Direction;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Frame layouts the lab's own traffic never has (IPv6, an 802.1Q or 802.1ad tag in the frame, IPv4 and TCP options
 * up to their longest), written to a pcap and sent raw with tcpreplay out of the client's veth, through the tc
 * egress program: each is parsed from the program's copy of the frame's head, and kept with every header whole plus
 * the snap's payload bytes. A wrong header offset shows as captured bytes or a length that differ from the frame's.
 */
class FrameLayoutsTest {
  static final int SNAP = 32;
  static final int PORT = 9;
  static final int TCP = 6;
  static final int UDP = 17;
  static final int PSH_ACK = 0x18;
  static final int ACK = 0x10;

  /** A frame sent, with how many of its bytes the capture keeps (-1: not captured). */
  record Case(String name, byte[] frame, int headers, int payload) {
    int kept() {
      return headers < 0 ? -1 : Math.min(frame.length, headers + SNAP);
    }
  }

  @BeforeAll
  static void kernelHasBpf() {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
  }

  static List<Case> cases() {
    byte[] hundred = payload(100);
    return List.of(
        new Case("IPv6 UDP", eth(0x86dd, ipv6(UDP, udp(40001, hundred))), 14 + 40 + 8, 100),
        new Case("802.1Q IPv4 TCP", tagged(0x8100, 0x0800, ipv4(TCP, 0, tcp(40002, PSH_ACK, 0, hundred))), 18 + 20 + 20, 100),
        new Case("802.1Q IPv6 TCP, 12 option bytes", tagged(0x8100, 0x86dd, ipv6(TCP, tcp(40003, PSH_ACK, 12, hundred))), 18 + 40 + 32, 100),
        new Case("802.1ad IPv4 UDP", tagged(0x88a8, 0x0800, ipv4(UDP, 0, udp(40004, hundred))), 18 + 20 + 8, 100),
        // the longest headers: the port sits at byte 78, the payload starts past the 128 bytes parsed from the copy
        new Case("802.1Q IPv4 40 option bytes TCP 40 option bytes", tagged(0x8100, 0x0800, ipv4(TCP, 40, tcp(40005, PSH_ACK, 40, hundred))),
            18 + 60 + 60, 100),
        new Case("IPv6 UDP, 5 payload bytes", eth(0x86dd, ipv6(UDP, udp(40006, payload(5)))), 14 + 40 + 8, 5),
        new Case("IPv6 UDP, another port", eth(0x86dd, ipv6(UDP, udp(40007, hundred, PORT + 1))), -1, 100),
        new Case("IPv6 TCP pure ACK", eth(0x86dd, ipv6(TCP, tcp(40008, ACK, 0, new byte[0]))), -1, 0));
  }

  @Test
  void parsesEachLayoutFromTheHeadCopy() throws Exception {
    List<Case> cases = cases();
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    MockProducer<byte[], byte[]> producer = SentPackets.batchingProducer();
    try (NetLab lab = new NetLab()) {
      Path pcap = lab.dir.resolve("layouts.pcap");
      Files.write(pcap, ClassicPcapWriter.ethernet(cases.stream().map(Case::frame).toList(), 1_700_000_000L, 1));
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(PORT)).withSnapLen(SNAP)
          .withMetricsPort(null).withStateDir(state).withUdpAttribution(false);
      long[] before;
      long[] after;
      try (Loader loader = Loader.start(config, producer)) {
        before = loader.maps().counters();
        lab.exec(lab.client, false, "tcpreplay -q -i " + lab.clientVeth + " " + pcap);
        long want = cases.stream().filter(c -> c.headers >= 0).count();
        long deadline = System.currentTimeMillis() + 10_000;
        while ((loader.maps().counters()[1] - before[1] < want || loader.metrics().polledPackets() < loader.maps().counters()[1])
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        after = loader.maps().counters();
      }
      Map<Integer, CapturedPacket> bySourcePort = new HashMap<>();
      for (ProducerRecord<byte[], byte[]> r : producer.history()) {
        if (r.topic().equals(Topics.PACKETS_RAW)) {
          for (CapturedPacket p : SentPackets.of(r)) {
            CapturedPacket earlier = bySourcePort.put(sourcePort(p.getData().toByteArray()), p);
            assertEquals(null, earlier, "each frame captured once");
          }
        }
      }
      for (Case c : cases) {
        CapturedPacket p = bySourcePort.get(sourcePort(c.frame));
        if (c.headers < 0) {
          assertEquals(null, p, c.name + ": not captured");
          continue;
        }
        assertNotNull(p, c.name + ": captured");
        assertEquals(Direction.EGRESS, p.getDirection(), c.name);
        assertEquals(lab.clientVeth, p.getInterface(), c.name);
        assertEquals(c.frame.length, p.getOrigLen(), c.name + ": length on the wire");
        assertEquals(c.kept(), p.getSnapLen(), c.name + ": headers whole plus " + SNAP + " payload bytes");
        assertArrayEquals(Arrays.copyOf(c.frame, c.kept()), p.getData().toByteArray(), c.name + ": the frame's own bytes");
      }
      assertEquals(1, after[5] - before[5], "the IPv6 pure ACK is counted as skipped");
      assertEquals(0, after[2] - before[2], "no ring-buffer drop");
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }

  /** The source port that tells the cases apart: at the same place in UDP and TCP, after whichever headers. */
  static int sourcePort(byte[] frame) {
    int type = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
    int l3 = 14;
    if (type == 0x8100 || type == 0x88a8) {
      type = (frame[16] & 0xff) << 8 | (frame[17] & 0xff);
      l3 = 18;
    }
    int l4 = type == 0x0800 ? l3 + (frame[l3] & 0x0f) * 4 : l3 + 40;
    return (frame[l4] & 0xff) << 8 | (frame[l4 + 1] & 0xff);
  }

  static byte[] payload(int n) {
    byte[] p = new byte[n];
    for (int i = 0; i < n; i++) {
      p[i] = (byte) ('a' + i % 26);
    }
    return p;
  }

  static byte[] macs() {
    return new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
  }

  static byte[] eth(int type, byte[] l3) {
    return ByteBuffer.allocate(14 + l3.length).put(macs()).putShort((short) type).put(l3).array();
  }

  static byte[] tagged(int tpid, int type, byte[] l3) {
    return ByteBuffer.allocate(18 + l3.length).put(macs()).putShort((short) tpid).putShort((short) 100).putShort((short) type)
        .put(l3).array();
  }

  static byte[] ipv4(int proto, int optionBytes, byte[] l4) {
    int ihl = 5 + optionBytes / 4;
    ByteBuffer b = ByteBuffer.allocate(ihl * 4 + l4.length);
    b.put((byte) (0x40 | ihl)).put((byte) 0).putShort((short) (ihl * 4 + l4.length)).putShort((short) 1).putShort((short) 0x4000)
        .put((byte) 64).put((byte) proto).putShort((short) 0).put(new byte[] {10, 99, 0, 2}).put(new byte[] {10, 99, 0, 1});
    for (int i = 0; i < optionBytes; i++) {
      b.put((byte) 1);  // NOP options
    }
    return b.put(l4).array();
  }

  static byte[] ipv6(int next, byte[] l4) {
    byte[] src = new byte[16];
    byte[] dst = new byte[16];
    src[0] = dst[0] = (byte) 0xfd;
    src[15] = 2;
    dst[15] = 1;
    return ByteBuffer.allocate(40 + l4.length).putInt(0x60000000).putShort((short) l4.length).put((byte) next).put((byte) 64)
        .put(src).put(dst).put(l4).array();
  }

  static byte[] udp(int sport, byte[] payload) {
    return udp(sport, payload, PORT);
  }

  static byte[] udp(int sport, byte[] payload, int dport) {
    return ByteBuffer.allocate(8 + payload.length).putShort((short) sport).putShort((short) dport)
        .putShort((short) (8 + payload.length)).putShort((short) 0).put(payload).array();
  }

  static byte[] tcp(int sport, int flags, int optionBytes, byte[] payload) {
    int doff = 5 + optionBytes / 4;
    ByteBuffer b = ByteBuffer.allocate(doff * 4 + payload.length);
    b.putShort((short) sport).putShort((short) PORT).putInt(1000).putInt(2000).put((byte) (doff << 4)).put((byte) flags)
        .putShort((short) 65535).putShort((short) 0).putShort((short) 0);
    for (int i = 0; i < optionBytes; i++) {
      b.put((byte) 1);
    }
    return b.put(payload).array();
  }
}
