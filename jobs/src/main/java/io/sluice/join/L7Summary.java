package io.sluice.join;

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
