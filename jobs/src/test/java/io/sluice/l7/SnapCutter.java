package io.sluice.l7;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a capture as the eBPF loader's tc program cuts packets (ebpf-loader/src/main/c/sluice.bpf.c, capture()):
 * every header kept whole, then at most {@code snap} payload bytes, the original length kept. Like the loader it
 * drops IP fragments after the first (they carry no ports; the loader, which does not walk IPv6 extension headers,
 * drops every IPv6 fragment). A frame without TCP or UDP is kept as it is.
 */
public final class SnapCutter {
  private SnapCutter() {}

  public static List<CaptureFrame> cut(Path capture, int snap) throws IOException {
    List<CaptureFrame> out = new ArrayList<>();
    PacketHeader h = new PacketHeader();
    try (CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame f : reader) {
        CaptureFrame c = cut(f, snap, h);
        if (c != null) {
          out.add(c);
        }
      }
    }
    return out;
  }

  /** The frame as the loader would send it, or null when the loader would not send it. */
  static CaptureFrame cut(CaptureFrame f, int snap, PacketHeader h) {
    if (!PacketParser.parse(f.linkType(), f.data(), 0, f.capturedLength(), h) || h.layer < 3) {
      return f;
    }
    if (h.fragmentOffset != 0) {
      return null;
    }
    if (h.layer < 4 || (h.protocol != PacketParser.PROTO_TCP && h.protocol != PacketParser.PROTO_UDP)) {
      return f;
    }
    int keep = Math.min(f.capturedLength(), h.payloadOffset + snap);
    if (keep == f.capturedLength()) {
      return f;
    }
    return new CaptureFrame(f.timestampNs(), f.linkType(), keep, f.originalLength(), Arrays.copyOf(f.data(), keep));
  }
}
