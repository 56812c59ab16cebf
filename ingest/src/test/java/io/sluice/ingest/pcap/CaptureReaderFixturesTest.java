package io.sluice.ingest.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Reads every real capture and compares with tshark's view of it (its oracle summaries, or tshark itself). */
class CaptureReaderFixturesTest {
  private static final Pattern FRAMES = Pattern.compile("\"frames_in_file\"\\s*:\\s*(\\d+)");
  private static final Pattern FRAME_BYTES = Pattern.compile("\"frame_bytes\"\\s*:\\s*(\\d+)");

  static Stream<Path> allPcaps() throws IOException {
    return Fixtures.allPcaps().stream();
  }

  @ParameterizedTest
  @MethodSource("allPcaps")
  void frameCountAndBytesEqualTheOracle(Path pcap) throws IOException {
    String summary = Files.readString(Fixtures.oracleSummary(pcap));
    List<CaptureFrame> frames = readAll(pcap);
    assertEquals(Long.parseLong(find(FRAMES, summary)), frames.size(), pcap.toString());
    Matcher bytes = FRAME_BYTES.matcher(summary);
    if (bytes.find()) {
      long sum = frames.stream().mapToLong(CaptureFrame::originalLength).sum();
      assertEquals(Long.parseLong(bytes.group(1)), sum, pcap + " frame bytes");
    }
    for (CaptureFrame f : frames) {
      assertEquals(f.data().length, f.capturedLength());
      assertTrue(f.capturedLength() <= f.originalLength());
    }
  }

  /** Timestamps, lengths and link types, frame by frame, against tshark itself. */
  @ParameterizedTest
  @MethodSource("tsharkSamples")
  void everyFrameEqualsTshark(String relative) throws Exception {
    Path pcap = Fixtures.root().resolve(relative);
    assertFramesEqualTshark(pcap, readAll(pcap));
  }

  static Stream<String> tsharkSamples() {
    return Stream.of(
        "l7/zeek/http_pipelined-requests.pcap",
        "l7/pktvisor/dns_ipv6_udp.pcap",
        "flows/pktvisor/nf9.pcap", // nanosecond magic
        "flows/pktvisor/ipfix.pcap"); // Linux cooked capture
  }

  @Test
  void pcapngFromEditcapEqualsTheClassicFile(@TempDir Path tmp) throws Exception {
    for (String relative : tsharkSamples().toList()) {
      Path pcap = Fixtures.root().resolve(relative);
      Path ng = tmp.resolve("converted.pcapng");
      run("editcap", "-F", "pcapng", pcap.toString(), ng.toString());
      assertSameFrames(readAll(pcap), readAll(ng), relative);
    }
  }

  /** editcap 4.0 has no --set-ts-resolution; going through nsecpcap gives an IDB with if_tsresol = 9. */
  @Test
  void nanosecondPcapngEqualsTheClassicFile(@TempDir Path tmp) throws Exception {
    Path pcap = Fixtures.root().resolve("l7/zeek/http_bro.org.pcap");
    Path nsec = tmp.resolve("nsec.pcap");
    Path ng = tmp.resolve("nsec.pcapng");
    run("editcap", "-F", "nsecpcap", pcap.toString(), nsec.toString());
    run("editcap", "-F", "pcapng", nsec.toString(), ng.toString());
    List<CaptureFrame> frames = readAll(ng);
    assertSameFrames(readAll(pcap), frames, "nsec pcapng");
    assertSameFrames(readAll(pcap), readAll(nsec), "nsec pcap");
    assertFramesEqualTshark(ng, frames);
  }

  /** Concatenated pcapng files are one file with several sections, each declaring its own interfaces. */
  @Test
  void severalSectionsFromConcatenatedFiles(@TempDir Path tmp) throws Exception {
    Path a = Fixtures.root().resolve("l7/zeek/http_get.pcap");
    Path b = Fixtures.root().resolve("flows/pktvisor/ipfix.pcap");
    Path ngA = tmp.resolve("a.pcapng");
    Path ngB = tmp.resolve("b.pcapng");
    run("editcap", "-F", "pcapng", a.toString(), ngA.toString());
    run("editcap", "-F", "pcapng", b.toString(), ngB.toString());
    Path both = tmp.resolve("both.pcapng");
    Files.write(both, Files.readAllBytes(ngA));
    Files.write(both, Files.readAllBytes(ngB), java.nio.file.StandardOpenOption.APPEND);
    List<CaptureFrame> expected = new ArrayList<>(readAll(a));
    expected.addAll(readAll(b));
    List<CaptureFrame> frames = readAll(both);
    assertSameFrames(expected, frames, "two sections");
    assertFramesEqualTshark(both, frames);
  }

  static List<CaptureFrame> readAll(Path file) throws IOException {
    List<CaptureFrame> frames = new ArrayList<>();
    try (CaptureReader reader = CaptureReader.open(file)) {
      for (CaptureFrame f : reader) {
        frames.add(f);
      }
    }
    return frames;
  }

  private static void assertSameFrames(List<CaptureFrame> expected, List<CaptureFrame> actual, String what) {
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) {
      CaptureFrame e = expected.get(i);
      CaptureFrame a = actual.get(i);
      assertEquals(e.timestampNs(), a.timestampNs(), what + " frame " + (i + 1));
      assertEquals(e.linkType(), a.linkType(), what + " frame " + (i + 1));
      assertEquals(e.originalLength(), a.originalLength(), what + " frame " + (i + 1));
      assertArrayEquals(e.data(), a.data(), what + " frame " + (i + 1));
    }
  }

  private static void assertFramesEqualTshark(Path file, List<CaptureFrame> frames) throws Exception {
    String out = run("tshark", "-n", "-r", file.toString(), "-T", "fields", "-E", "separator=,",
        "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len");
    String[] lines = out.strip().split("\n");
    assertEquals(lines.length, frames.size(), file + " frame count");
    for (int i = 0; i < lines.length; i++) {
      String[] f = lines[i].split(",", -1);
      CaptureFrame frame = frames.get(i);
      assertEquals(epochToNs(f[0]), frame.timestampNs(), file + " frame " + (i + 1) + " time");
      assertEquals(Integer.parseInt(f[1]), frame.originalLength(), file + " frame " + (i + 1) + " len");
      assertEquals(Integer.parseInt(f[2]), frame.capturedLength(), file + " frame " + (i + 1) + " cap_len");
    }
  }

  /** "1362692526.869344000" -> ns, exactly (no floating point). */
  private static long epochToNs(String epoch) {
    int dot = epoch.indexOf('.');
    String frac = (epoch.substring(dot + 1) + "000000000").substring(0, 9);
    return Long.parseLong(epoch.substring(0, dot)) * 1_000_000_000L + Long.parseLong(frac);
  }

  private static String find(Pattern p, String s) {
    Matcher m = p.matcher(s);
    assertTrue(m.find(), p.pattern());
    return m.group(1);
  }

  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command));
    return out;
  }
}
