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
        long deadline = System.currentTimeMillis() + 60_000;  // a ceiling for a busy machine
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

  /**
   * The TLS handshake capture (tls.h) on a layout the lab's traffic never has, 802.1Q-tagged IPv6: a 3,000-byte
   * ClientHello in one segment (as a GSO segment comes) is kept whole past the snap in two records (1,920 payload
   * bytes, the most one holds, then the rest), each with its own sequence number and IPv6 payload length; the server's
   * first segment (at the ClientHello's acknowledgement number) is kept whole too; a later client segment past the first
   * 4,096 bytes goes by the snap.
   */
  @Test
  void keepsATlsClientHelloWholeInRecords() throws Exception {
    byte[] hello = payload(3000);
    byte[] head = {22, 3, 1, (byte) (2995 >> 8), (byte) (2995 & 0xff), 1};
    System.arraycopy(head, 0, hello, 0, head.length);
    byte[] helloFrame = tagged(0x8100, 0x86dd, ipv6(TCP, tcp(40010, PORT, 1000, 2000, hello)));
    byte[] serverHello = payload(600);
    byte[] serverFrame = tagged(0x8100, 0x86dd, ipv6(TCP, tcp(PORT, 40010, 2000, 4000, serverHello), true));
    byte[] later = payload(100);
    byte[] laterFrame = tagged(0x8100, 0x86dd, ipv6(TCP, tcp(40010, PORT, 1000 + 4096, 2600, later)));
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    MockProducer<byte[], byte[]> producer = SentPackets.batchingProducer();
    int headers = 18 + 40 + 20;
    try (NetLab lab = new NetLab()) {
      NetLab.sh("ip -n " + lab.client + " link set " + lab.clientVeth + " mtu 9000");
      NetLab.sh("ip -n " + lab.server + " link set " + lab.serverVeth + " mtu 9000");
      // one tcpreplay each: the ClientHello must come first, and in one run the oversized frame went out last
      List<Path> pcaps = new java.util.ArrayList<>();
      for (byte[] frame : List.of(helloFrame, serverFrame, laterFrame)) {
        Path pcap = lab.dir.resolve("tls-" + pcaps.size() + ".pcap");
        Files.write(pcap, ClassicPcapWriter.ethernet(List.of(frame), 1_700_000_000L, 1));
        pcaps.add(pcap);
      }
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(PORT)).withSnapLen(SNAP)
          .withMetricsPort(null).withStateDir(state).withUdpAttribution(false);
      long[] after;
      try (Loader loader = Loader.start(config, producer)) {
        for (Path pcap : pcaps) {
          lab.exec(lab.client, false, "tcpreplay -q -i " + lab.clientVeth + " " + pcap);
        }
        long deadline = System.currentTimeMillis() + 60_000;  // a ceiling for a busy machine
        while ((loader.metrics().polledPackets() < 4 || loader.metrics().polledPackets() < loader.maps().counters()[1])
            && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        after = loader.maps().counters();
      }
      List<CapturedPacket> packets = new java.util.ArrayList<>();
      for (ProducerRecord<byte[], byte[]> r : producer.history()) {
        if (r.topic().equals(Topics.PACKETS_RAW)) {
          packets.addAll(SentPackets.of(r));
        }
      }
      assertEquals(4, packets.size(), "two records of the ClientHello, the server's segment, the later one");
      assertRecord(packets.get(0), helloFrame, 1000, 0, 1920, headers);
      assertRecord(packets.get(1), helloFrame, 1000, 1920, 1080, headers);
      assertRecord(packets.get(2), serverFrame, 2000, 0, 600, headers);
      byte[] cut = packets.get(3).getData().toByteArray();
      assertEquals(headers + SNAP, cut.length, "past the first 4,096 bytes: the snap");
      assertEquals(laterFrame.length, packets.get(3).getOrigLen());
      assertEquals(1, after[8], "one ClientHello");
      assertEquals(2, after[9], "two segments kept past the snap");
      assertEquals(0, after[2], "no ring-buffer drop");
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }

  /** A record of bytes [from, from + n) of a segment's payload: the frame's headers with that range's sequence number
   * and IPv6 payload length, then the range's own bytes. */
  private static void assertRecord(CapturedPacket p, byte[] frame, int seq, int from, int n, int headers) {
    byte[] data = p.getData().toByteArray();
    assertEquals(headers + n, data.length, "record at " + from);
    assertEquals(headers + n, p.getOrigLen(), "record at " + from + ": its length");
    ByteBuffer b = ByteBuffer.wrap(data);
    assertEquals(20 + n, b.getShort(18 + 4) & 0xffff, "IPv6 payload length at " + from);
    assertEquals(seq + from, b.getInt(18 + 40 + 4), "sequence number at " + from);
    assertArrayEquals(Arrays.copyOfRange(frame, headers + from, headers + from + n),
        Arrays.copyOfRange(data, headers, data.length), "payload at " + from);
  }

  static byte[] tcp(int sport, int dport, int seq, int ack, byte[] payload) {
    return ByteBuffer.allocate(20 + payload.length).putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack)
        .put((byte) (5 << 4)).put((byte) PSH_ACK).putShort((short) 65535).putShort((short) 0).putShort((short) 0)
        .put(payload).array();
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
    return ipv6(next, l4, false);
  }

  /** From fd00::2 to fd00::1, or back when reply. */
  static byte[] ipv6(int next, byte[] l4, boolean reply) {
    byte[] src = new byte[16];
    byte[] dst = new byte[16];
    src[0] = dst[0] = (byte) 0xfd;
    src[15] = (byte) (reply ? 1 : 2);
    dst[15] = (byte) (reply ? 2 : 1);
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
