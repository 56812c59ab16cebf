package io.sluice.cli.l7;

import io.sluice.l7.L7Summary;
import java.io.PrintWriter;
import java.util.Map;

/** The human-readable summary that ends `sluice l7` without --json. */
final class SummaryText {
  private SummaryText() {}

  static void print(PrintWriter out, L7Summary s) {
    out.println("summary");
    out.printf("  frames: %d (not IP: %d)%n", s.frames, s.framesNotIp);
    out.printf("  dns:  messages %d (queries %d, responses %d), pairs %d, timeouts %d, unsolicited responses %d%n",
        s.dnsMessages, s.dnsQueries, s.dnsResponses, s.dnsPairs, s.dnsTimeouts, s.dnsUnsolicited);
    out.printf("  http: messages %d (requests %d, responses %d of which 1xx %d), pairs %d, timeouts %d,"
        + " unsolicited responses %d, lost responses %d%n", s.httpRequests + s.httpResponses, s.httpRequests,
        s.httpResponses, s.httpInterimResponses, s.httpPairs, s.httpTimeouts, s.httpUnsolicited, s.httpLost);
    Map<String, Object> all = s.asMap();
    @SuppressWarnings("unchecked")
    Map<String, Long> problems = (Map<String, Long>) all.get("problems");
    if (problems.isEmpty()) {
      out.println("  problems: none");
    } else {
      out.println("  problems:");
      problems.forEach((reason, n) -> out.printf("    %s: %d%n", reason, n));
    }
  }
}
