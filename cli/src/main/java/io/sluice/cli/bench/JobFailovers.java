package io.sluice.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The failovers of a job, from Flink's exception history ({@code /jobs/{id}/exceptions}): a bench run that failed
 * over restored its state and read again from its last checkpoint, so every rate and CPU figure of the run carries
 * that cost, and runs with and without one are not comparable.
 */
record JobFailovers(List<Failover> failovers, boolean truncated) {
  record Failover(double atS, String task, String cause) {}

  /** @param startMs the job's start (epoch ms), for each failover's time into the run */
  static JobFailovers of(JsonNode exceptions, long startMs) {
    JsonNode history = exceptions.path("exceptionHistory");
    List<Failover> all = new ArrayList<>();
    for (JsonNode e : history.path("entries")) {
      all.add(new Failover((e.path("timestamp").asLong() - startMs) / 1000.0, e.path("taskName").asText("(the job)"),
          rootCause(e.path("stacktrace").asText(""), e.path("exceptionName").asText(""))));
    }
    all.sort((a, b) -> Double.compare(a.atS(), b.atS()));
    return new JobFailovers(all, history.path("truncated").asBoolean(false));
  }

  /** The innermost "Caused by:" of a Java stack trace, or the exception's own name without one. */
  static String rootCause(String stacktrace, String name) {
    String cause = name;
    for (String line : stacktrace.split("\n")) {
      if (line.startsWith("Caused by: ")) {
        cause = line.substring("Caused by: ".length()).trim();
      }
    }
    return cause;
  }

  /** One line for the bench's output. */
  String line() {
    if (failovers.isEmpty()) {
      return "Failovers during the L7Job: 0.";
    }
    StringBuilder s = new StringBuilder("Failovers during the L7Job: ").append(failovers.size())
        .append(truncated ? "+" : "").append(" (each restored the last checkpoint; its cost is in every figure above):");
    for (Failover f : failovers) {
      s.append(String.format("%n- at %.1f s, %s: %s", f.atS(), f.task(), f.cause()));
    }
    return s.toString();
  }
}
