package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.ingest.Topics;
import io.sluice.wire.CapturedPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP over the lab's veth with pure ACKs skipped and kept: what the BPF filter drops, keeps and counts. */
class PureAckFilterTest {
  static final int CURLS = 3;

  @BeforeAll
  static void kernelHasBpf() {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
  }

  /** TCP flags and payload length of an IPv4 TCP frame, or null. */
  static int[] tcp(byte[] f) {
    if (f.length < 54 || f[12] != 0x08 || f[13] != 0 || f[23] != 6) {
      return null;
    }
    int ipLen = (f[16] & 0xff) << 8 | (f[17] & 0xff);
    int l4 = 14 + (f[14] & 0x0f) * 4;
    int payload = ipLen - (l4 - 14) - ((f[l4 + 12] & 0xf0) >> 4) * 4;
    return new int[] {f[l4 + 13] & 0xff, payload};
  }

  record Run(List<int[]> tcp, long skipped, long captured, int sent) {
    long count(int flagsMask, boolean withPayload) {
      return tcp.stream().filter(t -> (t[0] & flagsMask) != 0 || flagsMask == 0)
          .filter(t -> withPayload == (t[1] > 0)).count();
    }

    long pureAcks() {
      return tcp.stream().filter(t -> (t[0] & 0x07) == 0 && t[1] == 0).count();
    }
  }

  Run run(boolean skip) throws Exception {
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    // one run batched (the default), the other one packet per record: both forms carry the same packets
    MockProducer<byte[], byte[]> producer = skip ? SentPackets.batchingProducer()
        : new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    try (NetLab lab = new NetLab()) {
      LabServers.start(lab);
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(80)).withMetricsPort(null)
          .withStateDir(state).withUdpAttribution(false).withSkipPureAcks(skip).withPacketBatches(skip);
      long[] kernel;
      try (Loader loader = Loader.start(config, producer)) {
        for (int i = 0; i < CURLS; i++) {
          assertEquals("hello from sluice", lab.exec(lab.client, false, "curl -sf -m 20 http://" + lab.serverIp + "/").trim());
        }
        // The last packet is the client's ACK of nginx's FIN, sent as its socket enters TIME-WAIT: wait for that
        // rather than for a fixed time (nginx may be slow to close on a busy machine).
        long closed = System.currentTimeMillis() + 60_000;
        while (!lab.exec(lab.client, false, "ss -tanH exclude time-wait exclude listening \"( dport = :80 )\"").isBlank()
            && System.currentTimeMillis() < closed) {
          Thread.sleep(20);
        }
        long deadline = System.currentTimeMillis() + 60_000;  // a ceiling for a busy machine
        while (loader.metrics().polledPackets() < loader.maps().counters()[1] && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        kernel = loader.maps().counters();
      }
      List<int[]> tcp = new ArrayList<>();
      int packets = 0;
      for (ProducerRecord<byte[], byte[]> r : producer.history()) {
        if (!r.topic().equals(Topics.PACKETS_RAW)) {
          continue;  // socket events
        }
        for (CapturedPacket p : SentPackets.of(r)) {
          packets++;
          int[] t = tcp(p.getData().toByteArray());
          if (t != null) {
            tcp.add(t);
          }
        }
      }
      return new Run(tcp, kernel[5], kernel[1], packets);
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }

  @Test
  void skipsOnlyPureAcksAndCountsThem() throws Exception {
    Run skipped = run(true);
    Run kept = run(false);
    for (Run r : List.of(skipped, kept)) {
      assertEquals(r.captured, r.sent, "every captured packet was drained");
      assertEquals(2L * CURLS, r.count(0x02, false), "SYN and SYN-ACK of each connection");
      assertTrue(r.count(0x01, false) + r.count(0x01, true) >= 2L * CURLS, "FINs of both ends");
      assertEquals(2L * CURLS, r.count(0, true), "each request and each response");
    }
    assertEquals(0, skipped.pureAcks(), "no pure ACK captured when skipping");
    assertTrue(skipped.skipped > 0, "skipped pure ACKs are counted");
    assertTrue(kept.pureAcks() > 0, "pure ACKs captured when kept");
    assertEquals(0, kept.skipped, "nothing counted as skipped when kept");
  }
}
