package io.sluice.ebpf;

import static io.sluice.ebpf.FrameLayoutsTest.eth;
import static io.sluice.ebpf.FrameLayoutsTest.ipv6;
import static io.sluice.ebpf.FrameLayoutsTest.tcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.ingest.Topics;
import io.sluice.ingest.pcap.ClassicPcapWriter;
import io.sluice.wire.CapturedPacket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Where the capture's HTTP/2 walk (h2.h) starts on the server's side, on crafted segments sent in a fixed order with
 * tcpreplay out of the client's veth (through the tc egress program, one tcpreplay per frame so the order holds):
 * the server's SETTINGS, then the client's preface, then the server's first response, whose HEADERS block is longer
 * than the snap. Three connections:
 * <ul>
 *   <li>the preface acknowledges nothing of the server yet although its SETTINGS already passed the capture (the
 *   client's TCP had not taken it in when it sent the preface; GrpcLiveTest met this under load, nghttpd writing its
 *   SETTINGS at accept): the walk begun at that SETTINGS goes on, the response's block is kept whole;</li>
 *   <li>the preface acknowledges the SETTINGS: the walk starts at the acknowledgement, the block is kept whole;</li>
 *   <li>the same as the first with the SETTINGS never shown to the capture: bytes unseen hold a frame header, so the
 *   response is held for a turn that never comes (Http2HeldSegmentTest); its first snap bytes are written when it is
 *   held, as the snap would have.</li>
 * </ul>
 */
class Http2WalkStartTest {
  static final int SNAP = 32;
  static final int PORT = 50051;
  static final int HEADERS = 14 + 40 + 20;     // Ethernet, IPv6, TCP
  static final int BLOCK = 200;                // the response's header block
  static final int BODY = 300;                 // its DATA payload, left out past the snap

  @Test
  void theServersWalkStartsAtItsSettingsEvenBeforeThePreface() throws Exception {
    assumeReplayable();
    List<byte[]> frames = new ArrayList<>();
    frames.addAll(connection(40031, true, false));
    frames.addAll(connection(40032, true, true));
    frames.addAll(connection(40033, false, false));
    Replayed replayed = replay(frames);
    Map<Integer, Integer> responseKept = new TreeMap<>();
    for (CapturedPacket p : replayed.packets) {
      ByteBuffer b = ByteBuffer.wrap(p.getData().toByteArray());
      int sport = b.getShort(14 + 40) & 0xffff;
      int dport = b.getShort(14 + 40 + 2) & 0xffff;
      long seq = b.getInt(14 + 40 + 4) & 0xffffffffL;
      if (sport == PORT && seq >= SERVER_ISN + 1 + SETTINGS.length) {
        responseKept.merge(dport, b.capacity() - HEADERS, Integer::sum);
      }
    }
    long[] counters = replayed.counters;
    int whole = 9 + BLOCK + 9;  // the HEADERS frame and the DATA frame's header
    assertEquals(Map.of(40031, whole, 40032, whole, 40033, SNAP), responseKept,
        "payload bytes kept of each response segment (" + (9 + BLOCK + 9 + BODY) + " on the wire)");
    assertEquals(0, counters[7], "no walk lost");
    assertEquals(1, counters[13], "the third connection's response held: its SETTINGS before it never came");
    assertEquals(0, counters[2], "no ring-buffer drop");
  }

  /** What the loader sent of crafted frames replayed out of the client's veth, and its counters after. */
  record Replayed(List<CapturedPacket> packets, long[] counters) {}

  static void assumeReplayable() {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/tcpreplay")), "needs tcpreplay");
  }

  /** The frames in order, one tcpreplay each so the order holds, under a loader at SNAP watching PORT. */
  static Replayed replay(List<byte[]> frames) throws Exception {
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    MockProducer<byte[], byte[]> producer = SentPackets.batchingProducer();
    long[] counters;
    try (NetLab lab = new NetLab()) {
      List<Path> pcaps = new ArrayList<>();
      for (byte[] frame : frames) {
        Path pcap = lab.dir.resolve("h2-" + pcaps.size() + ".pcap");
        Files.write(pcap, ClassicPcapWriter.ethernet(List.of(frame), 1_700_000_000L, 1));
        pcaps.add(pcap);
      }
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(PORT)).withSnapLen(SNAP)
          .withMetricsPort(null).withStateDir(state).withUdpAttribution(false);
      try (Loader loader = Loader.start(config, producer)) {
        for (Path pcap : pcaps) {
          lab.exec(lab.client, false, "tcpreplay -q -i " + lab.clientVeth + " " + pcap);
        }
        long deadline = System.currentTimeMillis() + 60_000;  // a ceiling for a busy machine
        while (loader.maps().counters()[0] < frames.size() && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        long polled = -1;
        while (loader.metrics().polledPackets() != polled) {
          polled = loader.metrics().polledPackets();
          Thread.sleep(300);
        }
        counters = loader.maps().counters();
      }
    } finally {
      NetLab.sh("rm -rf " + state);
    }
    List<CapturedPacket> packets = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : producer.history()) {
      if (r.topic().equals(Topics.PACKETS_RAW)) {
        packets.addAll(SentPackets.of(r));
      }
    }
    return new Replayed(packets, counters);
  }

  static final long CLIENT_ISN = 1000;
  static final long SERVER_ISN = 5000;
  static final byte[] SETTINGS = frame(4, 0, 0, new byte[] {0, 3, 0, 0, 0, 100});  // MAX_CONCURRENT_STREAMS 100

  /**
   * One connection's segments, in the order the capture is to see them: the server's SETTINGS (when shown), the
   * client's preface (acknowledging that SETTINGS or not), the server's response (HEADERS then DATA on stream 1).
   */
  static List<byte[]> connection(int clientPort, boolean settingsShown, boolean prefaceAcksSettings) throws Exception {
    ByteArrayOutputStream preface = new ByteArrayOutputStream();
    preface.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    preface.write(frame(4, 0, 0, new byte[0]));
    preface.write(frame(1, 5, 1, new byte[40]));  // a request: HEADERS, END_STREAM | END_HEADERS
    ByteArrayOutputStream response = new ByteArrayOutputStream();
    response.write(frame(1, 4, 1, new byte[BLOCK]));
    response.write(frame(0, 1, 1, new byte[BODY]));
    long serverData = SERVER_ISN + 1;
    long clientData = CLIENT_ISN + 1;
    List<byte[]> frames = new ArrayList<>();
    if (settingsShown) {
      frames.add(server(clientPort, serverData, clientData, SETTINGS));
    }
    long acked = prefaceAcksSettings ? serverData + SETTINGS.length : serverData;
    frames.add(eth(0x86dd, ipv6(6, tcp(clientPort, PORT, (int) clientData, (int) acked, preface.toByteArray()))));
    frames.add(server(clientPort, serverData + SETTINGS.length, clientData + preface.size(), response.toByteArray()));
    return frames;
  }

  static byte[] server(int clientPort, long seq, long ack, byte[] payload) {
    return eth(0x86dd, ipv6(6, tcp(PORT, clientPort, (int) seq, (int) ack, payload), true));
  }

  /** An HTTP/2 frame: its 9-byte header (length, type, flags, stream) and payload. */
  static byte[] frame(int type, int flags, int stream, byte[] payload) {
    return ByteBuffer.allocate(9 + payload.length).put((byte) (payload.length >> 16)).put((byte) (payload.length >> 8))
        .put((byte) payload.length).put((byte) type).put((byte) flags).putInt(stream).put(payload).array();
  }
}
