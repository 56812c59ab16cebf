package io.sluice.ebpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the live HTTP/2 tests print about the capture's frame walk (h2.h): its lost walks by reason, and when one was
 * lost, each direction's payload segments in a whole capture (tshark), so a failure in CI tells which cause it was.
 */
final class H2WalkLog {
  private H2WalkLog() {}

  /** Lost walks and their reasons, from the loader's counters (BpfMaps.COUNTERS order). */
  static String lost(long[] counters) {
    return "%d lost walks (gap %d, steps %d, read %d), %d segments held (%d expired)".formatted(counters[7], counters[10],
        counters[11], counters[12], counters[13], counters[14]);
  }

  /** When a walk was lost: every payload segment of {@code ports} in the capture, by connection and direction. */
  static void printIfLost(long[] counters, Path capture, List<Integer> ports) {
    if (counters[7] == 0) {
      return;
    }
    try {
      segments(capture, ports).forEach((direction, lines) -> {
        System.out.println("  segments of " + direction + " (seq len walkSteps, about; first bytes):");
        lines.forEach(l -> System.out.println("    " + l));
      });
    } catch (Exception e) {
      System.out.println("  no segments from tshark: " + e);
    }
  }

  /** The most walk steps any one segment of the capture takes (about), against h2.h's budget of 2,048. */
  static String mostSteps(Path capture, List<Integer> ports) {
    try {
      int most = 0;
      long segments = 0;
      for (List<String> lines : segments(capture, ports).values()) {
        for (String l : lines) {
          most = Math.max(most, Integer.parseInt(l.split(" ")[2]));
          segments++;
        }
      }
      return "whole capture: " + segments + " payload segments, at most " + most + " walk steps in one (budget 2048)";
    } catch (Exception e) {
      return "whole capture: no segments from tshark: " + e;
    }
  }

  /**
   * Each direction's payload segments: relative seq, length, the steps the walk would take over it from the
   * direction's first segment on (h2.h's h2_step: a header, a payload piece of at most MAX_SNAP - HDR_PEEK bytes
   * unless DATA; budget 2 * H2_MAX_FRAMES) and its first 9 bytes in hex.
   */
  static Map<String, List<String>> segments(Path capture, List<Integer> ports)
      throws IOException, InterruptedException {
    String filter = "tcp.len > 0 && ("
        + String.join(" || ", ports.stream().map(p -> "tcp.port == " + p).toList()) + ")";
    Process p = new ProcessBuilder("tshark", "-n", "-r", capture.toString(), "-o", "tcp.desegment_tcp_streams:FALSE",
        "-Y", filter, "-T", "fields", "-e", "tcp.stream", "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.seq",
        "-e", "tcp.len", "-e", "tcp.payload").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    p.waitFor();
    Map<String, List<String>> byDirection = new LinkedHashMap<>();
    Map<String, Walk> walk = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.split("\t");
      if (f.length < 6) {
        continue;
      }
      String direction = "tcp.stream " + f[0] + " from " + f[1] + ":" + f[2];
      long seq = Long.parseLong(f[3]);
      long len = Long.parseLong(f[4]);
      byte[] payload = hex(f[5]);
      boolean preface = f[5].startsWith("505249202a20485454502f322e30");  // "PRI * HTTP/2.0"
      Walk w = walk.computeIfAbsent(direction, d -> new Walk(seq + (preface ? 24 : 0)));
      int steps = w.steps(seq, payload);
      String head = f[5].substring(0, Math.min(18, f[5].length()));
      byDirection.computeIfAbsent(direction, d -> new ArrayList<>()).add(seq + " " + len + " " + steps + " " + head);
    }
    return byDirection;
  }

  /** A direction's walk as h2.h steps it, over whole segments. */
  static final class Walk {
    private static final int MAX_KEEP = 2048 - 128;  // MAX_SNAP - HDR_PEEK
    long hdr;        // where the next frame header starts
    long walkedTo;   // the end of the last segment walked
    boolean data;    // the current frame is DATA
    final byte[] header = new byte[9];
    int have;        // bytes of a split header seen
    boolean lost;

    Walk(long hdr) {
      this.hdr = hdr;
      this.walkedTo = hdr;
    }

    /** Steps over the segment: -1 when lost (bytes not seen held a header), 0 when already walked past. */
    int steps(long seq, byte[] payload) {
      long end = seq + payload.length;
      if (lost) {
        return -1;
      }
      if (end <= walkedTo) {
        return 0;
      }
      if (seq > walkedTo && (have > 0 || seq > hdr)) {
        lost = true;
        return -1;
      }
      int steps = 0;
      long pos = Math.max(seq, walkedTo);
      while (pos < end) {
        if (have == 0 && pos < hdr) {
          long n = Math.min(hdr - pos, end - pos);
          steps += data ? 1 : (int) ((n + MAX_KEEP - 1) / MAX_KEEP);
          pos += n;
        } else {
          while (have < 9 && pos < end) {
            header[have++] = payload[(int) (pos++ - seq)];
          }
          steps++;
          if (have == 9) {
            long length = (header[0] & 0xffL) << 16 | (header[1] & 0xffL) << 8 | header[2] & 0xffL;
            data = header[3] == 0;
            hdr = pos + length;
            have = 0;
          }
        }
      }
      walkedTo = end;
      return steps;
    }
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
