package io.sluice.ebpf;

import io.sluice.ingest.Topics;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.wire.CapturedPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Some traffic once under a loader at the default snap in the lab's client namespace (the given ports, one record per
 * packet) and a whole dumpcap capture of the same ports in the server namespace: what the loader sent, its counters
 * and the whole capture, for the live tests that compare the two (Http2FrameAwareLiveTest, TlsHandshakeLiveTest).
 */
record LiveCapture(List<CaptureFrame> frames, long[] counters, long payloadKept, long kafkaBytes, int largestPayload,
    Path whole) {
  interface Traffic {
    void run() throws Exception;
  }

  static LiveCapture run(NetLab lab, List<Integer> ports, Traffic traffic) throws Exception {
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    Path whole = lab.dir.resolve("whole-" + System.nanoTime() + ".pcapng");
    MockProducer<byte[], byte[]> producer =
        new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withPorts(ports).withMetricsPort(null)
        .withStateDir(state).withUdpAttribution(false).withPacketBatches(false);
    String filter = ports.stream().map(p -> "tcp port " + p).collect(Collectors.joining(" or ")) + " or icmp";
    long[] counters;
    try (Loader loader = Loader.start(config, producer)) {
      String log = "dumpcap-" + whole.getFileName() + ".log";
      Process dumpcap = new ProcessBuilder("ip", "netns", "exec", lab.server, "dumpcap", "-i", lab.serverVeth, "-s", "0",
          "-B", "256", "-f", filter, "-w", whole.toString()).redirectErrorStream(true)
          .redirectOutput(lab.dir.resolve(log).toFile()).start();
      try {
        // dumpcap says "Capturing on" before its socket sees packets: pings until it has counted one
        long deadline = System.currentTimeMillis() + 20_000;
        while (!lab.log(log).contains("Packets: ") && System.currentTimeMillis() < deadline) {
          lab.exec(lab.client, false, "ping -c 1 -W 1 " + lab.serverIp);
          Thread.sleep(300);
        }
        traffic.run();
        Thread.sleep(1000);
      } finally {
        dumpcap.destroy();
        dumpcap.waitFor();
        System.out.println("dumpcap: " + lab.log(log).replace('\n', ' '));
      }
      long polled = -1;
      while (loader.metrics().polledPackets() != polled) {
        polled = loader.metrics().polledPackets();
        Thread.sleep(300);
      }
      counters = loader.maps().counters();
    } finally {
      NetLab.sh("rm -rf " + state);
    }
    NetLab.sh("chmod a+r " + whole);
    List<CaptureFrame> frames = new ArrayList<>();
    long kept = 0;
    long kafkaBytes = 0;
    int largest = 0;
    for (ProducerRecord<byte[], byte[]> r : producer.history()) {
      if (r.topic().equals(Topics.PACKETS_RAW)) {
        kafkaBytes += r.value().length;
        for (CapturedPacket p : SentPackets.of(r)) {
          byte[] data = p.getData().toByteArray();
          frames.add(new CaptureFrame(p.getCapturedNs(), 1, data.length, p.getOrigLen(), data));
          int l4 = 14 + (data[14] & 0x0f) * 4;  // IPv4 in the lab
          int payload = Math.max(0, data.length - l4 - ((data[l4 + 12] & 0xf0) >> 4) * 4);
          kept += payload;
          largest = Math.max(largest, payload);
        }
      }
    }
    return new LiveCapture(frames, counters, kept, kafkaBytes, largest, whole);
  }
}
