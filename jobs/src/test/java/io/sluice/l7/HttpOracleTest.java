package io.sluice.l7;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every HTTP capture through the offline parse-and-join, against tshark's requests and responses joined in
 * FIFO order per connection (the *_fifo oracle): method, URI, status, latency (first request byte to first
 * response byte, within 1 µs) and the pairing, per connection; then the totals.
 */
class HttpOracleTest {
  static Stream<Path> httpCaptures() throws IOException {
    return Fixtures.l7Captures().stream().filter(L7Oracle::hasHttp);
  }

  @ParameterizedTest
  @MethodSource("httpCaptures")
  void exchangesAndTotalsEqualTshark(Path capture) throws IOException {
    CollectingSink sink = new CollectingSink();
    L7Summary summary = L7Replay.run(capture, L7Config.defaults(), sink);

    L7Oracle.checkHttp(capture, sink.http, summary);
  }
}
