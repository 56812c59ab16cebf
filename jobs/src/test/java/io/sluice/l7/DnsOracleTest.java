package io.sluice.l7;

import java.io.IOException;
import java.nio.file.Path;
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
}
