package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.ConversationKey;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.ingest.pcap.LinkTypes;
import io.sluice.jobs.l7.PacketReplay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One conversation key: for every frame of every L7 capture in shared/fixtures, the eBPF loader's Kafka key
 * ({@link Records#frameKey}, for the Ethernet frames it captures) and {@code sluice replay}'s
 * ({@link PacketReplay#key}) are the same bytes, and equal the key the L7 job's packet parser gives (the outer IP
 * header's unordered pair; ports 0 for every IP fragment and for what is not TCP or UDP), IPv6 extension headers,
 * VLAN tags and fragments included.
 */
class ConversationKeysTest {
  @Test
  void loaderAndReplayKeyEveryFixtureFrameAlike() throws Exception {
    PacketHeader h = new PacketHeader();
    int frames = 0;
    int ethernet = 0;
    int fragments = 0;
    int ipv6Extensions = 0;
    for (Path capture : captures()) {
      try (CaptureReader reader = CaptureReader.open(capture)) {
        for (CaptureFrame f : reader) {
          frames++;
          byte[] replay = PacketReplay.key(f);
          boolean ip = PacketParser.parse(f.linkType(), f.data(), 0, f.capturedLength(), h) && h.layer >= 3;
          assertEquals(ip, replay != null, capture + " frame " + frames + ": keyed only if IP");
          if (!ip) {
            continue;
          }
          boolean fragment = h.isFragment();
          boolean ports = !fragment && h.layer >= 4
              && (h.protocol == PacketParser.PROTO_TCP || h.protocol == PacketParser.PROTO_UDP);
          byte[] parsed = ConversationKey.of(h.srcAddr, ports ? h.srcPort : 0, h.dstAddr, ports ? h.dstPort : 0);
          assertArrayEquals(parsed, replay, capture + " frame " + frames);
          fragments += fragment ? 1 : 0;
          ipv6Extensions += h.ipVersion == 6 && h.ipHeaderLength > 40 ? 1 : 0;
          if (f.linkType() == LinkTypes.ETHERNET) {
            ethernet++;
            byte[] loader = Records.frameKey(f.data(), 0, f.capturedLength());
            assertNotNull(loader);
            assertArrayEquals(replay, loader, capture + " frame " + frames + ": loader and replay");
          }
        }
      }
    }
    System.out.printf("conversation keys: %d frames, %d Ethernet (loader), %d fragments, %d IPv6 with extension"
        + " headers%n", frames, ethernet, fragments, ipv6Extensions);
    assertTrue(ethernet > 0 && fragments > 0 && ipv6Extensions > 0, "the fixtures cover fragments and extensions");
  }

  private static List<Path> captures() throws Exception {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path l7 = dir.resolve("shared").resolve("fixtures").resolve("l7");
      if (Files.isDirectory(l7)) {
        try (Stream<Path> files = Files.walk(l7)) {
          return files.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
      }
    }
    throw new IllegalStateException("no shared/fixtures/l7 above " + Path.of("").toAbsolutePath());
  }
}
