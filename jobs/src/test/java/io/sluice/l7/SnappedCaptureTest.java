package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.l7.L7Problem;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.net.IpAddresses;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every L7 capture cut as the eBPF loader cuts packets ({@link SnapCutter}: headers whole, N payload bytes, the
 * original length kept) gives the rows of the whole capture. At 256 and 512 bytes: every DNS row (status, id,
 * question, rcode, answer count, latency) and every HTTP exchange (status, method, path, status code, latency)
 * equal. At 128: every pair of the whole capture still pairs, with its id and rcode (DNS) or its method and status
 * code, and a path that starts the whole one (HTTP), except DNS-over-TCP messages whose header the cut hid (a second
 * message late in a segment), which are counted. Not the latency: when a retransmission overlaps a segment
 * held out of order, the whole capture takes the bytes from the retransmission, the cut one, which did not capture
 * them there, from the held segment, captured earlier.
 */
class SnappedCaptureTest {
  static Stream<Arguments> cases() throws IOException {
    List<Arguments> all = new ArrayList<>();
    for (Path p : Fixtures.l7Captures()) {
      for (int snap : new int[] {128, 256, 512}) {
        all.add(Arguments.of(p, snap));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} at {1}")
  @MethodSource("cases")
  void cutCaptureGivesTheWholeCapturesRows(Path capture, int snap) throws IOException {
    CollectingSink whole = new CollectingSink();
    L7Summary w = L7Replay.run(capture, L7Config.defaults(), whole);
    CollectingSink cut = new CollectingSink();
    List<CaptureFrame> frames = SnapCutter.cut(capture, snap);
    L7Summary c = L7Replay.run(frames, L7Config.defaults(), cut);
    long wholeBytes;
    try (CaptureReader reader = CaptureReader.open(capture)) {
      wholeBytes = java.util.stream.StreamSupport.stream(reader.spliterator(), false)
          .mapToLong(CaptureFrame::capturedLength).sum();
    }
    System.out.printf("SNAP %s at %d: pairs whole %d, cut %d (dns %d/%d, http %d/%d); bytes whole %d, cut %d%n",
        Fixtures.root().resolve("l7").relativize(capture), snap, w.dnsPairs + w.httpPairs, c.dnsPairs + c.httpPairs,
        w.dnsPairs, c.dnsPairs, w.httpPairs, c.httpPairs, wholeBytes,
        frames.stream().mapToLong(CaptureFrame::capturedLength).sum());
    if (snap >= 256) {
      List<String> onlyWhole = new ArrayList<>(dnsRows(whole.dns, true));
      List<String> onlyCut = new ArrayList<>(dnsRows(cut.dns, true));
      new ArrayList<>(onlyWhole).forEach(r -> {
        if (onlyCut.remove(r)) {
          onlyWhole.remove(r);
        }
      });
      assertEquals(onlyWhole, onlyCut, "dns rows of the whole capture only (expected) and of the cut one only");
      assertEquals(httpRows(whole.http, true), httpRows(cut.http, true), "http exchanges");
      return;
    }
    List<String> missing = new ArrayList<>(dnsRows(whole.dns, false).stream().filter(r -> r.startsWith("answered"))
        .map(SnappedCaptureTest::withoutLatency).toList());
    for (String r : dnsRows(cut.dns, false).stream().map(SnappedCaptureTest::withoutLatency).toList()) {
      missing.remove(r);
    }
    // A DNS message that starts late in a TCP segment may have its header cut: it cannot pair, and is counted.
    long headersCut = c.problems.get(L7Problem.DNS_HEADER_CUT) + c.problems.get(L7Problem.DNS_TCP_FRAMING_CUT);
    assertTrue(missing.size() <= headersCut && missing.stream().allMatch(r -> r.contains("|tcp|")),
        "dns pairs lost at " + snap + " with " + headersCut + " headers cut: " + missing);
    Map<String, List<String>> wholeHttp = httpRows(whole.http, false);
    Map<String, List<String>> cutHttp = httpRows(cut.http, false);
    wholeHttp.forEach((client, rows) -> {
      List<String> ours = new ArrayList<>(cutHttp.getOrDefault(client, List.of()));
      for (String r : rows) {
        if (!r.startsWith("answered")) {
          continue;
        }
        String[] f = r.split(" ", -1);
        boolean found = ours.removeIf(new java.util.function.Predicate<String>() {
          boolean done;

          @Override
          public boolean test(String o) {
            String[] g = o.split(" ", -1);
            boolean match = !done && g[0].equals(f[0]) && g[1].equals(f[1]) && f[2].startsWith(g[2])
                && g[3].equals(f[3]);
            done |= match;
            return match;
          }
        });
        assertTrue(found, client + ": " + r + " not answered at " + snap + " in " + ours);
      }
    });
  }

  private static String withoutLatency(String row) {
    return row.substring(0, row.lastIndexOf('|'));
  }

  private static List<String> dnsRows(List<DnsRow> rows, boolean withQuestion) {
    return rows.stream()
        .map(r -> String.join("|", r.status(), IpAddresses.format(r.clientAddr()), "" + r.clientPort(),
            IpAddresses.format(r.serverAddr()), "" + r.serverPort(), r.transport(), "" + r.id(),
            withQuestion ? r.qname() + "|" + r.qtype() + "|" + r.answerCount() : "", "" + r.rcode(), "" + r.latencyNs()))
        .sorted().toList();
  }

  private static Map<String, List<String>> httpRows(List<HttpRow> rows, boolean all) {
    Map<String, List<String>> byClient = new TreeMap<>();
    rows.stream().sorted(Comparator.comparingLong(HttpRow::timeNs)).forEach(r -> byClient
        .computeIfAbsent(IpAddresses.format(r.clientAddr()) + ":" + r.clientPort(), k -> new ArrayList<>())
        .add(String.join(" ", r.status(), r.method(), r.path(), "" + r.statusCode(), "" + r.latencyNs())));
    return byClient;
  }
}
