package io.sluice.join;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import io.sluice.ingest.capture.CaptureFrame;
import io.sluice.ingest.capture.CaptureReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every HTTP capture through the offline parse-and-join, against tshark's requests and responses joined in
 * FIFO order per connection (the *_fifo oracle): method, URI, status, latency (first request byte to first
 * response byte, within 1 µs) and the pairing, per connection; then the totals.
 */
class HttpOracleTest {
  static Stream<Path> httpCaptures() throws IOException {
    return Fixtures.l7Captures().stream()
        .filter(p -> Files.exists(Fixtures.oracle(p, ".http_transactions_fifo.csv")));
  }

  @ParameterizedTest
  @MethodSource("httpCaptures")
  void exchangesAndTotalsEqualTshark(Path capture) throws IOException {
    CollectingSink sink = new CollectingSink();
    L7Summary summary = L7Replay.run(capture, L7Config.defaults(), sink);

    Map<String, String> clientOfStream = new HashMap<>();
    for (Map<String, String> m : Fixtures.csv(Fixtures.oracle(capture, ".http_requests.csv"))) {
      clientOfStream.put(m.get("tcp_stream"), m.get("src_ip") + ":" + m.get("src_port"));
    }
    for (Map<String, String> m : Fixtures.csv(Fixtures.oracle(capture, ".http_responses.csv"))) {
      clientOfStream.putIfAbsent(m.get("tcp_stream"), m.get("dst_ip") + ":" + m.get("dst_port"));
    }
    List<Long> frameTimes = frameTimes(capture);
    Map<String, Long> lostGaps = new HashMap<>();
    Map<String, List<String>> expected = new TreeMap<>();
    for (Map<String, String> m : Fixtures.csv(Fixtures.oracle(capture, ".http_transactions_fifo.csv"))) {
      if (m.get("interim").equals("1")) {
        continue;
      }
      String client = clientOfStream.get(m.get("tcp_stream"));
      boolean lost = m.get("note").startsWith("response lost");
      Matcher gap = GAP_FRAME.matcher(m.get("note"));
      if (lost && gap.find()) {
        lostGaps.put(client + " " + m.get("uri"), frameTimes.get(Integer.parseInt(gap.group(1)) - 1));
      }
      String status = lost ? HttpRow.LOST : m.get("method").isEmpty() ? HttpRow.UNSOLICITED : HttpRow.ANSWERED;
      String latency = m.get("delta_start_s").isEmpty() ? "-" : Long.toString(Fixtures.secondsToNs(m.get("delta_start_s")) / 1000);
      String frame = m.get("request_start_frame").isEmpty() ? m.get("response_start_frame") : m.get("request_start_frame");
      expected.computeIfAbsent(client, k -> new ArrayList<>()).add(Long.parseLong(frame) + "|"
          + String.join(" ", status, m.get("method"), m.get("uri"), m.get("status").isEmpty() ? "0" : m.get("status"), latency));
    }
    expected.values().forEach(l -> l.sort(Comparator.comparingLong(s -> Long.parseLong(s.substring(0, s.indexOf('|'))))));
    Map<String, List<String>> exp = new TreeMap<>();
    expected.forEach((k, v) -> exp.put(k, v.stream().map(s -> s.substring(s.indexOf('|') + 1)).toList()));

    Map<String, List<HttpRow>> byClient = new TreeMap<>();
    for (HttpRow r : sink.http) {
      byClient.computeIfAbsent(Addresses.text(r.clientAddr()) + ":" + r.clientPort(), k -> new ArrayList<>()).add(r);
    }
    // tshark marks a request "response lost" when it cannot reassemble the response, even when only body
    // bytes are missing. We pair on the response head; if that head came before the capture gap, our
    // "answered" row is the same exchange, and is counted as the oracle's lost one.
    long[] explained = {0};
    Map<String, List<String>> actual = new TreeMap<>();
    byClient.forEach((client, rows) -> actual.put(client, rows.stream()
        .sorted(Comparator.comparingLong(HttpRow::timeNs))
        .map(r -> {
          String lostForm = String.join(" ", HttpRow.LOST, r.method(), r.path(), "0", "-");
          Long gapNs = lostGaps.get(client + " " + r.path());
          if (r.status().equals(HttpRow.ANSWERED) && gapNs != null && r.responseTimeNs() < gapNs
              && exp.getOrDefault(client, List.of()).contains(lostForm)) {
            explained[0]++;
            return lostForm;
          }
          return String.join(" ", r.status(), r.method(), r.path(), "" + r.statusCode(),
              r.status().equals(HttpRow.ANSWERED) ? roundMicros(r.latencyNs(), exp, client) : "-");
        })
        .toList()));
    long exchanges = exp.values().stream().mapToLong(List::size).sum();
    System.out.printf("HTTP oracle %s: %d exchanges on %d connections; ours %d rows on %d;"
        + " %d oracle 'response lost' answered by us before the gap%n",
        capture.getFileName(), exchanges, exp.size(), sink.http.size(), actual.size(), explained[0]);
    assertEquals(exp, actual);

    JsonNode http = new ObjectMapper().readTree(Fixtures.oracle(capture, ".summary.json").toFile()).get("http");
    JsonNode fifo = http.get("fifo_join");
    assertEquals(http.get("requests").asLong(), summary.httpRequests, "requests");
    assertEquals(http.get("responses").asLong() + explained[0], summary.httpResponses, "responses");
    assertEquals(fifo.get("final_responses_paired").asLong() + explained[0], summary.httpPairs, "pairs");
    assertEquals(fifo.get("interim_1xx_responses").asLong(), summary.httpInterimResponses, "interim");
    assertEquals(fifo.get("requests_with_lost_response").asLong() - explained[0], summary.httpLost, "lost");
    assertEquals(fifo.get("responses_without_request").asLong(), summary.httpUnsolicited, "unsolicited");
    assertEquals(fifo.get("requests_without_response").asLong(), summary.httpTimeouts, "timeouts");
  }

  private static final Pattern GAP_FRAME = Pattern.compile("capture gap at frame (\\d+)");

  private static List<Long> frameTimes(Path capture) throws IOException {
    List<Long> times = new ArrayList<>();
    try (CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame f : reader) {
        times.add(f.timestampNs());
      }
    }
    return times;
  }

  /**
   * Our latency in µs, or the oracle's own figure when ours is within 1 µs of one of the connection's
   * expected latencies (tshark prints seconds with 9 digits, so exact equality would test rounding).
   */
  private static String roundMicros(long latencyNs, Map<String, List<String>> exp, String client) {
    long micros = latencyNs / 1000;
    for (String e : exp.getOrDefault(client, List.of())) {
      String last = e.substring(e.lastIndexOf(' ') + 1);
      if (!last.equals("-") && Math.abs(Long.parseLong(last) * 1000 - latencyNs) <= 1_000) {
        return last;
      }
    }
    return Long.toString(micros);
  }
}
