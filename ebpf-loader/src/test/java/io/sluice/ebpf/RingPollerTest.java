package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.ingest.PacketBatches;
import io.sluice.ingest.Topics;
import io.sluice.wire.CapturedPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mmap ring-buffer reader on the real kernel with a ring far smaller than the traffic, so records wrap around
 * its end many times and the ring fills up: every record the kernel committed comes out once, whole, in order.
 */
class RingPollerTest {
  static final int DATAGRAMS = 30_000;
  static final int RING = 64 << 10;

  @BeforeAll
  static void kernelHasBpf() {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
  }

  @Test
  void everyCommittedRecordOnceInOrderAcrossWrapArounds() throws Exception {
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    MockProducer<byte[], byte[]> producer = SentPackets.batchingProducer();
    try (NetLab lab = new NetLab()) {
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(9)).withSnapLen(100)
          .withRingBytes(RING).withMetricsPort(null).withStateDir(state).withUdpAttribution(false);
      long[] kernel;
      try (Loader loader = Loader.start(config, producer); NetNs ns = new NetNs(lab.client)) {
        ns.call(() -> {
          try (DatagramChannel ch = DatagramChannel.open()) {
            // One datagram to a port not captured resolves ARP first: until then sends queue (or drop) before tc.
            ch.send(ByteBuffer.allocate(1), new InetSocketAddress(lab.serverIp, 10));
            Thread.sleep(200);
            InetSocketAddress to = new InetSocketAddress(lab.serverIp, 9);
            ByteBuffer b = ByteBuffer.allocate(100);
            for (int i = 0; i < DATAGRAMS; i++) {
              b.clear();
              b.putInt(0, i);
              b.putInt(96, ~i);
              ch.send(b, to);
            }
          }
          return null;
        });
        long deadline = System.currentTimeMillis() + 20_000;
        while (loader.metrics().polledPackets() < loader.maps().counters()[1] && System.currentTimeMillis() < deadline) {
          Thread.sleep(20);
        }
        kernel = loader.maps().counters();
      }
      long captured = kernel[1];
      long full = kernel[2];
      assertEquals(DATAGRAMS, captured + full, "every datagram is captured or counted as ring-buffer full");
      // Socket events (of any TCP connection on this host: the tracepoints are not per namespace) aside.
      List<ProducerRecord<byte[], byte[]>> records = producer.history().stream()
          .filter(r -> r.topic().equals(Topics.PACKETS_RAW)).toList();
      List<CapturedPacket> sent = new ArrayList<>();
      Set<Integer> partitions = new HashSet<>();
      for (ProducerRecord<byte[], byte[]> r : records) {
        assertTrue(PacketBatches.isBatch(r.headers()), "batched");
        partitions.add(r.partition());
        sent.addAll(SentPackets.of(r));
      }
      assertEquals(Set.of(PacketBatches.partition(records.isEmpty() ? new byte[0] : firstKey(sent), SentPackets.PARTITIONS)),
          partitions, "one conversation, one partition: the one its key gives");
      // a 64 KiB ring is drained as soon as an eighth of it fills, so batches stay small here
      assertTrue(records.size() < sent.size(), "more than one packet per record: " + records.size() + " records, " + sent.size() + " packets");
      assertEquals(captured, sent.size(), "records drained = records the kernel committed");
      assertTrue(sent.size() * 200L > 4L * RING, "the ring wrapped: " + sent.size() + " records");
      int last = -1;
      for (CapturedPacket p : sent) {
        ByteBuffer frame = p.getData().asReadOnlyByteBuffer();
        int payload = 14 + 20 + 8;
        assertEquals(payload + 100, p.getSnapLen(), "whole record");
        int seq = frame.getInt(payload);
        assertEquals(~seq, frame.getInt(payload + 96), "the record's last bytes belong to its first");
        assertTrue(seq > last, "in order: " + seq + " after " + last);
        last = seq;
      }
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }

  /**
   * Below an eighth of the ring the BPF programs wake no one, so a lone record waits for the poller's gather time; a
   * burst past an eighth wakes it at once. The loader's own poller is paused; a second one drains the same ring.
   */
  @Test
  void aLoneRecordWaitsForTheGatherTimeAndABurstWakesThePollerAtOnce() throws Exception {
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    // Long enough that "at once" (under half of it) and "after the gather time" stay apart on a busy machine too.
    int gatherMs = 5000;
    int ring = 1 << 20;  // an eighth is 128 KiB: far more than the host's own socket events (the tracepoints see all) in 5 s
    try (NetLab lab = new NetLab()) {
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(List.of(9)).withSnapLen(100)
          .withRingBytes(ring).withMetricsPort(null).withStateDir(state).withUdpAttribution(false);
      try (Loader loader = Loader.start(config, SentPackets.batchingProducer()); NetNs ns = new NetNs(lab.client)) {
        loader.pause(true);
        Thread.sleep(300);  // the loader's poll loop sees the pause within one 100 ms poll
        long[] lastRecordAt = new long[1];
        int[] records = new int[1];
        long[] bytes = new long[1];
        RingPoller.Sink sink = (data, size) -> {
          records[0]++;
          bytes[0] += size + 8;  // the ring's record header
          lastRecordAt[0] = System.nanoTime();
        };
        try (RingPoller poller = new RingPoller(loader.maps().eventsFd(), sink, gatherMs)) {
          lab.sendDatagrams(ns, 1, 10, 100);  // resolves ARP (a port not captured)
          Thread.sleep(200);
          poller.drain();
          records[0] = 0;

          aLoneRecordWaits(ns, lab, poller, gatherMs, ring, records, bytes, lastRecordAt);

          records[0] = 0;
          int burst = 2 * ring / 8 / 150;  // records of 32 + 142 bytes plus the ring's 8-byte header: past an eighth
          lab.sendDatagrams(ns, burst, 9, 100);
          long start = System.nanoTime();
          poller.poll(gatherMs);
          long tookMs = (System.nanoTime() - start) / 1_000_000;
          assertTrue(records[0] >= burst, "the burst was drained: " + records[0] + " of " + burst);
          assertTrue(tookMs < gatherMs / 2, "a ring an eighth full wakes the poller at once: " + tookMs + " ms");

          start = System.nanoTime();
          poller.poll(gatherMs);
          tookMs = (System.nanoTime() - start) / 1_000_000;
          assertTrue(tookMs < gatherMs / 2, "a drain that freed an eighth of the ring is followed by the next at once: " + tookMs + " ms");
          // and after a wakeup was reported (an epoll that is not edge-triggered would report the next record at once)
          aLoneRecordWaits(ns, lab, poller, gatherMs, ring, records, bytes, lastRecordAt);

          // no timeout is the gather time: below an eighth of the ring no wakeup would ever end the wait
          records[0] = 0;
          lab.sendDatagrams(ns, 1, 9, 100);
          assertTimeoutPreemptively(java.time.Duration.ofMillis(6L * gatherMs), () -> poller.poll(-1));
          assertTrue(records[0] >= 1, "poll(-1) drained the lone datagram");
        } finally {
          loader.pause(false);
        }
      }
    } finally {
      NetLab.sh("rm -rf " + state);
    }
  }

  /**
   * The socket tracepoints see the whole host, so on a busy machine other processes' socket events may fill an eighth
   * of the ring meanwhile and wake the poller early (CI once saw 0 ms): an early drain is right only then. The same
   * events may also have filled an eighth before: a drain that freed an eighth is followed by the next at once, and a
   * wakeup they caused may still be pending. So first drain until a drain frees less, then take any pending wakeup.
   */
  private static void aLoneRecordWaits(NetNs ns, NetLab lab, RingPoller poller, int gatherMs, int ring, int[] records,
      long[] bytes, long[] lastRecordAt) {
    do {
      bytes[0] = 0;
      poller.poll(1);
    } while (bytes[0] >= ring / 8);
    poller.poll(1);  // the last drain freed less than an eighth: this one waits on epoll (1 ms), taking a stale wakeup
    records[0] = 0;
    bytes[0] = 0;
    lab.sendDatagrams(ns, 1, 9, 100);
    long start = System.nanoTime();
    poller.poll(gatherMs);
    assertTrue(records[0] >= 1, "the lone datagram was drained");
    long waitedMs = (lastRecordAt[0] - start) / 1_000_000;
    assertTrue(waitedMs >= gatherMs - 100 || bytes[0] >= ring / 8, "a lone record is drained after the gather time,"
        + " not at once: " + waitedMs + " ms, " + records[0] + " records of " + bytes[0] + " bytes drained");
  }


  /** The Kafka key of the first packet's frame, as the loader computes it. */
  private static byte[] firstKey(List<CapturedPacket> sent) {
    byte[] frame = sent.get(0).getData().toByteArray();
    return Records.frameKey(frame, 0, frame.length);
  }
}
