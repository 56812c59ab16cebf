package io.sluice.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * equal. At 128: every pair of the whole capture still pairs, with its id, rcode and latency (DNS) or its method,
 * status code and latency, and a path that starts the whole one (HTTP).
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
    L7Summary c = L7Replay.run(SnapCutter.cut(capture, snap), L7Config.defaults(), cut);
    System.out.printf("SNAP %s at %d: pairs whole %d, cut %d (dns %d/%d, http %d/%d)%n",
        Fixtures.root().resolve("l7").relativize(capture), snap, w.dnsPairs + w.httpPairs, c.dnsPairs + c.httpPairs,
        w.dnsPairs, c.dnsPairs, w.httpPairs, c.httpPairs);
    if (snap >= 256) {
      assertEquals(dnsRows(whole.dns, true), dnsRows(cut.dns, true), "dns rows");
      assertEquals(httpRows(whole.http, true), httpRows(cut.http, true), "http exchanges");
      return;
    }
    List<String> missing = new ArrayList<>(dnsRows(whole.dns, false).stream().filter(r -> r.startsWith("answered")).toList());
    for (String r : dnsRows(cut.dns, false)) {
      missing.remove(r);
    }
    assertEquals(List.of(), missing, "dns pairs lost at " + snap);
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
                && g[3].equals(f[3]) && g[4].equals(f[4]);
            done |= match;
            return match;
          }
        });
        assertTrue(found, client + ": " + r + " not answered at " + snap + " in " + ours);
      }
    });
  }

  private static List<String> dnsRows(List<DnsRow> rows, boolean withQuestion) {
    return rows.stream()
        .map(r -> String.join("|", r.status(), Addresses.text(r.clientAddr()), "" + r.clientPort(),
            Addresses.text(r.serverAddr()), "" + r.serverPort(), r.transport(), "" + r.id(),
            withQuestion ? r.qname() + "|" + r.qtype() + "|" + r.answerCount() : "", "" + r.rcode(), "" + r.latencyNs()))
        .sorted().toList();
  }

  private static Map<String, List<String>> httpRows(List<HttpRow> rows, boolean all) {
    Map<String, List<String>> byClient = new TreeMap<>();
    rows.stream().sorted(Comparator.comparingLong(HttpRow::timeNs)).forEach(r -> byClient
        .computeIfAbsent(Addresses.text(r.clientAddr()) + ":" + r.clientPort(), k -> new ArrayList<>())
        .add(String.join(" ", r.status(), r.method(), r.path(), "" + r.statusCode(), "" + r.latencyNs())));
    return byClient;
  }
}
