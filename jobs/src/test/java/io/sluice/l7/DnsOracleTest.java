package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every DNS capture through the offline parse-and-join, against tshark's decode: per message id, name, type,
 * rcode, answer count and latency (dns.time, within 1 µs), and the totals of its summary.
 */
class DnsOracleTest {
  static Stream<Path> dnsCaptures() throws IOException {
    return Fixtures.l7Captures().stream().filter(L7Oracle::hasDns);
  }

  @ParameterizedTest
  @MethodSource("dnsCaptures")
  void rowsAndTotalsEqualTshark(Path capture) throws IOException {
    CollectingSink sink = new CollectingSink();
    L7Summary summary = L7Replay.run(capture, L7Config.defaults(), sink);
    L7Oracle.checkDns(capture, sink.dns, summary);
  }

  /**
   * The text of every AAAA answer (RFC 5952, as {@code IpAddresses.appendV6} writes it) against tshark's
   * {@code dns.aaaa}, in capture order.
   */
  @ParameterizedTest
  @MethodSource("dnsCaptures")
  void aaaaAnswersReadAsTsharkWritesThem(Path capture) throws IOException {
    List<String> tshark = new ArrayList<>();
    Pattern aaaa = Pattern.compile("aaaa=([0-9a-f:.]+)");
    for (Map<String, String> m : Fixtures.csv(Fixtures.oracle(capture, ".dns.csv"))) {
      Matcher found = aaaa.matcher(m.get("answers"));
      while (found.find()) {
        tshark.add(found.group(1));
      }
    }
    assumeFalse(tshark.isEmpty(), "no AAAA answers in " + capture.getFileName());
    CollectingSink sink = new CollectingSink();
    L7Replay.run(capture, L7Config.defaults(), sink);
    List<String> ours = new ArrayList<>();
    sink.dns.stream().sorted(java.util.Comparator.comparingLong(r -> r.timeNs() + r.latencyNs()))
        .flatMap(r -> r.answers().stream())
        .map(a -> a.split(" "))
        .filter(a -> a.length == 3 && a[1].equals("AAAA"))
        .forEach(a -> ours.add(a[2]));
    assertEquals(tshark, ours);
  }
}
