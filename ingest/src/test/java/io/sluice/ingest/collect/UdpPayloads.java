package io.sluice.ingest.collect;

import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The UDP datagrams of a real capture: strips Ethernet (with VLAN tags), Linux cooked or raw-IP framing, then
 * IPv4/IPv6 and UDP. IP fragments are reported, not reassembled (no flow fixture has any).
 */
public final class UdpPayloads {
  public record Datagram(byte[] srcAddr16, int srcPort, int dstPort, byte[] payload) {}

  private UdpPayloads() {}

  public static Path fixtures() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("fixtures");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no shared/fixtures folder above " + Path.of("").toAbsolutePath());
  }

  public static List<Datagram> read(Path pcap) throws IOException {
    List<Datagram> out = new ArrayList<>();
    try (CaptureReader reader = CaptureReader.open(pcap)) {
      for (CaptureFrame f : reader) {
        Datagram d = parse(f.linkType(), f.data());
        if (d == null) {
          throw new IllegalStateException(pcap + ": a frame that is not a whole UDP datagram");
        }
        out.add(d);
      }
    }
    return out;
  }

  static Datagram parse(int linkType, byte[] b) {
    int p;
    int etherType;
    switch (linkType) {
      case 1 -> {
        p = 12;
        etherType = u16(b, p);
        p += 2;
        while (etherType == 0x8100 || etherType == 0x88a8) {
          etherType = u16(b, p + 2);
          p += 4;
        }
      }
      case 113 -> {
        etherType = u16(b, 14);
        p = 16;
      }
      case 276 -> {
        etherType = u16(b, 0);
        p = 20;
      }
      case 101 -> {
        etherType = (b[0] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
        p = 0;
      }
      default -> throw new IllegalArgumentException("link type " + linkType);
    }
    byte[] src = new byte[16];
    int udp;
    int udpEnd;
    if (etherType == 0x0800) {
      int ihl = (b[p] & 0x0f) * 4;
      int total = u16(b, p + 2);
      int frag = u16(b, p + 6);
      if ((frag & 0x3fff) != 0 || (b[p + 9] & 0xff) != 17) {
        return null;
      }
      src[10] = (byte) 0xff;
      src[11] = (byte) 0xff;
      System.arraycopy(b, p + 12, src, 12, 4);
      udp = p + ihl;
      udpEnd = p + total;
    } else if (etherType == 0x86dd) {
      if ((b[p + 6] & 0xff) != 17) {
        return null;
      }
      System.arraycopy(b, p + 8, src, 0, 16);
      udp = p + 40;
      udpEnd = udp + u16(b, p + 4);
    } else {
      return null;
    }
    int udpLen = u16(b, udp + 4);
    int end = Math.min(udp + udpLen, Math.min(udpEnd, b.length));
    byte[] payload = java.util.Arrays.copyOfRange(b, udp + 8, end);
    if (payload.length != udpLen - 8) {
      return null;
    }
    return new Datagram(src, u16(b, udp), u16(b, udp + 2), payload);
  }

  private static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }
}
