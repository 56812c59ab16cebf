package io.sluice.l7;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.ProblemCounts;
import java.util.LinkedHashMap;
import java.util.Map;

/** Totals of one run: what the summary of `sluice l7` prints and the L7Job exports as metrics. */
public final class L7Summary {
  public long frames;
  public long framesNotIp;
  public long dnsMessages;
  public long dnsQueries;
  public long dnsResponses;
  public long dnsPairs;
  public long dnsTimeouts;
  public long dnsUnsolicited;
  public long httpRequests;
  public long httpResponses;
  /** 1xx responses other than 101: they do not answer a request. */
  public long httpInterimResponses;
  public long httpPairs;
  public long httpTimeouts;
  public long httpUnsolicited;
  public long httpLost;
  public final ProblemCounts problems = new ProblemCounts();

  /** Every counter under a flat name ("frames", "dns.queries", "problem.tcp_gap"): for Flink state and metrics. */
  public Map<String, Long> counts() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("frames", frames);
    m.put("frames_not_ip", framesNotIp);
    m.put("dns.messages", dnsMessages);
    m.put("dns.queries", dnsQueries);
    m.put("dns.responses", dnsResponses);
    m.put("dns.pairs", dnsPairs);
    m.put("dns.timeouts", dnsTimeouts);
    m.put("dns.unsolicited", dnsUnsolicited);
    m.put("http.requests", httpRequests);
    m.put("http.responses", httpResponses);
    m.put("http.interim", httpInterimResponses);
    m.put("http.pairs", httpPairs);
    m.put("http.timeouts", httpTimeouts);
    m.put("http.unsolicited", httpUnsolicited);
    m.put("http.lost", httpLost);
    for (L7Problem p : L7Problem.values()) {
      m.put("problem." + p.key(), problems.get(p));
    }
    return m;
  }

  /** Adds counters named as {@link #counts()} names them; unknown names are ignored. */
  public void add(Map<String, Long> counts) {
    counts.forEach((name, n) -> {
      switch (name) {
        case "frames" -> frames += n;
        case "frames_not_ip" -> framesNotIp += n;
        case "dns.messages" -> dnsMessages += n;
        case "dns.queries" -> dnsQueries += n;
        case "dns.responses" -> dnsResponses += n;
        case "dns.pairs" -> dnsPairs += n;
        case "dns.timeouts" -> dnsTimeouts += n;
        case "dns.unsolicited" -> dnsUnsolicited += n;
        case "http.requests" -> httpRequests += n;
        case "http.responses" -> httpResponses += n;
        case "http.interim" -> httpInterimResponses += n;
        case "http.pairs" -> httpPairs += n;
        case "http.timeouts" -> httpTimeouts += n;
        case "http.unsolicited" -> httpUnsolicited += n;
        case "http.lost" -> httpLost += n;
        default -> {
          for (L7Problem p : L7Problem.values()) {
            if (name.equals("problem." + p.key())) {
              problems.add(p, n);
            }
          }
        }
      }
    });
  }

  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("frames", frames);
    m.put("frames_not_ip", framesNotIp);
    Map<String, Object> dns = new LinkedHashMap<>();
    dns.put("messages", dnsMessages);
    dns.put("queries", dnsQueries);
    dns.put("responses", dnsResponses);
    dns.put("pairs", dnsPairs);
    dns.put("timeouts", dnsTimeouts);
    dns.put("unsolicited_responses", dnsUnsolicited);
    m.put("dns", dns);
    Map<String, Object> http = new LinkedHashMap<>();
    http.put("messages", httpRequests + httpResponses);
    http.put("requests", httpRequests);
    http.put("responses", httpResponses);
    http.put("interim_responses", httpInterimResponses);
    http.put("pairs", httpPairs);
    http.put("timeouts", httpTimeouts);
    http.put("unsolicited_responses", httpUnsolicited);
    http.put("lost_responses", httpLost);
    m.put("http", http);
    Map<String, Long> byReason = new LinkedHashMap<>();
    problems.nonZero().forEach((p, n) -> byReason.put(p.key(), n));
    m.put("problems", byReason);
    return m;
  }
}
