package io.sluice.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.cli.TablePrinter;
import io.sluice.cli.submit.FlinkRest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * `bench l7`'s timeline of the L7Job's run, one line every {@link #EVERY_NS}: what the job's source handed on, the
 * rows landed, the TaskManager's CPU by thread group ({@link ThreadGroups}), the packets source's and the join's
 * busy, idle and back-pressured time (Flink's task metrics), the source readers' watermark alignment drift, the
 * TaskManager's collections and heap, and the checkpoints completed. A slow run's time shows here: a source that
 * reads nothing while the TaskManager is not busy, checkpoints that take long or pile up, collections.
 * Metrics that are not (yet) there print as "-": the timeline is a diagnosis, never a reason to fail the bench.
 */
final class L7Timeline {
  static final long EVERY_NS = 5_000_000_000L;
  private static final String TASK_METRICS = "numRecordsOut,busyTimeMsPerSecond,idleTimeMsPerSecond,backPressuredTimeMsPerSecond";

  private final FlinkRest rest;
  private final String jobId;
  private final Supplier<OptionalLong> taskManagerPid;
  private final long startNs;
  private final List<List<String>> lines = new ArrayList<>();
  private final Set<Long> checkpointsSeen = new HashSet<>();
  private String sourceVertex;
  private String joinVertex;
  private String driftMetrics;
  private String sourceWatermarks;
  private String taskManager;
  private String gcMetrics;
  private long lastNs;
  private double lastSourceOut = 0;
  private Map<String, Double> lastGc = Map.of();
  private Map<Long, ThreadGroups.Thread> lastThreads;
  private long lastThreadsPid;

  L7Timeline(FlinkRest rest, String jobId, Supplier<OptionalLong> taskManagerPid, long startNs) {
    this.rest = rest;
    this.jobId = jobId;
    this.taskManagerPid = taskManagerPid;
    this.startNs = startNs;
    this.lastNs = startNs;
    OptionalLong pid = taskManagerPid.get();
    lastThreadsPid = pid.orElse(0);
    lastThreads = pid.isPresent() ? ThreadGroups.read(pid.getAsLong()) : Map.of();
  }

  /** A line if {@link #EVERY_NS} has passed since the last one; {@code dnsHttpRows}: rows landed in dns + http. */
  void maybeSample(long nowNs, long dnsHttpRows) {
    if (nowNs - lastNs < EVERY_NS) {
      return;
    }
    double seconds = (nowNs - lastNs) / 1e9;
    List<String> line = new ArrayList<>();
    line.add(String.format(Locale.ROOT, "%.0f", (nowNs - startNs) / 1e9));
    Map<String, Double> source = taskMetrics(true);
    // Once the source's subtasks finish, their counts are gone from the metrics: "-" rather than a fall.
    double out = source.getOrDefault("numRecordsOut", Double.NaN);
    line.add(out >= lastSourceOut ? rate(out - lastSourceOut, seconds) : "-");
    if (!Double.isNaN(out)) {
      lastSourceOut = out;
    }
    line.add(String.format(Locale.ROOT, "%,d", dnsHttpRows));
    Map<String, ThreadGroups.Use> use = threadUse();
    line.addAll(threadPercents(use, seconds));
    line.add(busyIdleBackPressured(source));
    Map<String, Double> join = taskMetrics(false);
    line.add(busyIdleBackPressured(join));
    line.add(blockedCell(join.get("busyTimeMsPerSecond"), use.get("join+sink"), seconds));
    line.add(watermarks());
    line.add(drift());
    line.add(gc());
    line.add(checkpoints());
    lines.add(line);
    lastNs = nowNs;
  }

  void print(PrintWriter out) {
    out.println("Timeline of the L7Job, every " + EVERY_NS / 1_000_000_000L + " s from submission:");
    out.println("- TaskManager CPU by thread group in % of one core; in brackets, the % of a core its threads waited for"
        + " one while runnable");
    out.println("- b/i/bp: busy (the busiest subtask's in brackets), idle, back-pressured, ms per second, the subtasks'"
        + " average");
    out.println("- join blocked: % of the wall time a join thread was busy by Flink's count but neither on a core nor"
        + " waiting for one (the chained sinks waiting for ClickHouse, a collection's pause)");
    out.println("- wm: the packets source subtasks' output watermarks apart; the join's input watermark behind the"
        + " highest (event time the join holds packets for); drift: the readers' largest watermarkAlignmentDrift");
    out.println("- GC: the TaskManager's young and full collections (their ms), heap used after; checkpoints completed:"
        + " id, duration, size");
    List<String> header = new ArrayList<>(List.of("s", "source out/s", "rows landed"));
    ThreadGroups.GROUPS.forEach(g -> header.add(g + " %"));
    header.addAll(List.of("source b/i/bp", "join b/i/bp", "join blocked %", "wm spread/lag s", "drift s", "GC young/full, heap", "checkpoints"));
    TablePrinter.print(out, header, lines);
  }

  private Map<String, ThreadGroups.Use> threadUse() {
    OptionalLong pid = taskManagerPid.get();
    Map<Long, ThreadGroups.Thread> now = pid.isPresent() ? ThreadGroups.read(pid.getAsLong()) : Map.of();
    Map<String, ThreadGroups.Use> use = ThreadGroups.since(pid.orElse(0) == lastThreadsPid ? lastThreads : Map.of(), now);
    lastThreads = now;
    lastThreadsPid = pid.orElse(0);
    return use;
  }

  /**
   * % of the wall time a task thread (the average of {@code use}'s threads) was busy by Flink's count while neither
   * on a core nor waiting for one: blocked, e.g. the chained sink waiting for ClickHouse to stage or commit rows.
   */
  static String blockedCell(Double busyMsPerSecond, ThreadGroups.Use use, double seconds) {
    if (busyMsPerSecond == null || busyMsPerSecond.isNaN() || use.threads() == 0) {
      return "-";
    }
    double onCoreMs = use.ticks() / ProcessStats.TICKS_PER_SECOND * 1000 / seconds / use.threads();
    double waitMs = use.waitNs() / 1e6 / seconds / use.threads();
    return String.format(Locale.ROOT, "%.0f", Math.max(0, busyMsPerSecond - onCoreMs - waitMs) / 10);
  }

  private static List<String> threadPercents(Map<String, ThreadGroups.Use> use, double seconds) {
    List<String> cells = new ArrayList<>();
    use.values().forEach(u -> cells.add(String.format(Locale.ROOT, "%.0f (%.0f)",
        u.ticks() / ProcessStats.TICKS_PER_SECOND / seconds * 100, u.waitNs() / 1e9 / seconds * 100)));
    return cells;
  }

  /** The packets source's task ({@code source}) or the join's: the subtasks' sum of records out, average of the rest. */
  private Map<String, Double> taskMetrics(boolean source) {
    Map<String, Double> values = new java.util.HashMap<>();
    try {
      findVertices();
      String vertex = source ? sourceVertex : joinVertex;
      if (vertex == null) {
        return values;
      }
      for (JsonNode m : rest.get("/jobs/" + jobId + "/vertices/" + vertex + "/subtasks/metrics?get=" + TASK_METRICS)) {
        String id = m.path("id").asText();
        values.put(id, m.path(id.equals("numRecordsOut") ? "sum" : "avg").asDouble());
        values.put(id + ".max", m.path("max").asDouble());
      }
    } catch (java.io.IOException | RuntimeException notYet) {
      // the job's tasks are not running yet
    }
    return values;
  }

  private void findVertices() throws java.io.IOException {
    if (sourceVertex != null && joinVertex != null) {
      return;
    }
    for (JsonNode v : rest.get("/jobs/" + jobId).path("vertices")) {
      String name = v.path("name").asText();
      if (name.startsWith("Source: sluice.packets.raw") || name.startsWith("Source: " + io.sluice.ingest.Topics.PACKETS_RAW)) {
        sourceVertex = v.path("id").asText();
      } else if (name.startsWith("join")) {
        joinVertex = v.path("id").asText();
      }
    }
  }

  private static String busyIdleBackPressured(Map<String, Double> m) {
    return String.format(Locale.ROOT, "%s (%s)/%s/%s", whole(m.get("busyTimeMsPerSecond")), whole(m.get("busyTimeMsPerSecond.max")),
        whole(m.get("idleTimeMsPerSecond")), whole(m.get("backPressuredTimeMsPerSecond")));
  }

  /**
   * "spread / lag" in s of event time: the packets source's subtasks' output watermarks apart, and the join's input
   * watermark (the lowest subtask's) behind the highest of them: packets the join holds until event time passes them.
   */
  private String watermarks() {
    try {
      if (sourceVertex == null || joinVertex == null) {
        return "-";
      }
      if (sourceWatermarks == null) {
        for (JsonNode m : rest.get("/jobs/" + jobId + "/vertices/" + sourceVertex + "/subtasks/metrics")) {
          if (m.path("id").asText().endsWith(".currentOutputWatermark") && m.path("id").asText().contains("triage")) {
            sourceWatermarks = m.path("id").asText();
          }
        }
        if (sourceWatermarks == null) {
          return "-";
        }
      }
      JsonNode source = rest.get("/jobs/" + jobId + "/vertices/" + sourceVertex + "/subtasks/metrics?get=" + sourceWatermarks).get(0);
      JsonNode join = rest.get("/jobs/" + jobId + "/vertices/" + joinVertex + "/subtasks/metrics?get=currentInputWatermark").get(0);
      return watermarkCell(source.path("min").asDouble(), source.path("max").asDouble(), join.path("min").asDouble());
    } catch (java.io.IOException | RuntimeException notYet) {
      return "-";
    }
  }

  /** "spread / lag" (see {@link #watermarks}); "-" before every subtask has a watermark or after one has finished. */
  static String watermarkCell(double sourceMin, double sourceMax, double joinMin) {
    double sane = 1e15; // Long.MIN_VALUE before the first watermark, Long.MAX_VALUE after the end of input
    if (Math.abs(sourceMin) > sane || Math.abs(sourceMax) > sane || Math.abs(joinMin) > sane) {
      return "-";
    }
    return String.format(Locale.ROOT, "%.1f / %.1f", (sourceMax - sourceMin) / 1000, (sourceMax - joinMin) / 1000);
  }

  private String drift() {
    try {
      if (sourceVertex == null) {
        return "-";
      }
      if (driftMetrics == null) {
        List<String> ids = new ArrayList<>();
        for (JsonNode m : rest.get("/jobs/" + jobId + "/vertices/" + sourceVertex + "/subtasks/metrics")) {
          if (m.path("id").asText().endsWith("watermarkAlignmentDrift")) {
            ids.add(m.path("id").asText());
          }
        }
        if (ids.isEmpty()) {
          return "-";
        }
        driftMetrics = String.join(",", ids);
      }
      double max = Double.NaN;
      for (JsonNode m : rest.get("/jobs/" + jobId + "/vertices/" + sourceVertex + "/subtasks/metrics?get=" + driftMetrics)) {
        max = Double.isNaN(max) ? m.path("max").asDouble() : Math.max(max, m.path("max").asDouble());
      }
      return Double.isNaN(max) ? "-" : String.format(Locale.ROOT, "%.1f", max / 1000);
    } catch (java.io.IOException | RuntimeException notYet) {
      return "-";
    }
  }

  private String gc() {
    try {
      if (taskManager == null) {
        JsonNode tms = rest.get("/taskmanagers").path("taskmanagers");
        if (tms.size() != 1) {
          return "-";
        }
        String id = tms.get(0).path("id").asText();
        List<String> ids = new ArrayList<>(List.of("Status.JVM.Memory.Heap.Used"));
        for (JsonNode m : rest.get("/taskmanagers/" + id + "/metrics")) {
          String metric = m.path("id").asText();
          if (metric.startsWith("Status.JVM.GarbageCollector.") && !metric.contains(".All.")
              && (metric.endsWith(".Count") || metric.endsWith(".Time"))) {
            ids.add(metric);
          }
        }
        if (ids.size() == 1) {
          return "-"; // the JobManager has not fetched the TaskManager's metrics yet
        }
        taskManager = id;
        gcMetrics = String.join(",", ids);
      }
      Map<String, Double> now = new java.util.HashMap<>();
      for (JsonNode m : rest.get("/taskmanagers/" + taskManager + "/metrics?get=" + gcMetrics)) {
        now.put(m.path("id").asText(), m.path("value").asDouble());
      }
      String cell = gcCell(lastGc, now);
      lastGc = now;
      return cell;
    } catch (java.io.IOException | RuntimeException notYet) {
      return "-";
    }
  }

  /**
   * "young n (ms) / full n (ms), heap MB" between two readings of the TaskManager's GarbageCollector metrics; a
   * collector named like an old generation's (MarkSweep, Old) counts as full.
   */
  static String gcCell(Map<String, Double> before, Map<String, Double> after) {
    long[] young = new long[2];
    long[] full = new long[2];
    after.forEach((id, value) -> {
      if (!id.startsWith("Status.JVM.GarbageCollector.")) {
        return;
      }
      long d = Math.round(value - before.getOrDefault(id, 0.0));
      long[] into = id.contains("MarkSweep") || id.contains("Old") ? full : young;
      into[id.endsWith(".Count") ? 0 : 1] += d;
    });
    Double heap = after.get("Status.JVM.Memory.Heap.Used");
    return String.format(Locale.ROOT, "%d (%d) / %d (%d), %s", young[0], young[1], full[0], full[1],
        heap == null ? "-" : Math.round(heap / (1 << 20)) + " MB");
  }

  private String checkpoints() {
    try {
      JsonNode body = rest.get("/jobs/" + jobId + "/checkpoints");
      String cell = checkpointsCell(body.path("history"), checkpointsSeen);
      int inProgress = body.path("counts").path("in_progress").asInt();
      return inProgress > 0 ? cell + (cell.isEmpty() ? "" : "; ") + inProgress + " in progress" : cell;
    } catch (java.io.IOException | RuntimeException notYet) {
      return "-";
    }
  }

  /**
   * The checkpoints of {@code history} (Flink's /jobs/{id}/checkpoints history) completed or failed and not in
   * {@code seen}, oldest first, as "id duration size" ("id FAILED duration"), added to {@code seen}.
   */
  static String checkpointsCell(JsonNode history, Set<Long> seen) {
    List<JsonNode> done = new ArrayList<>();
    for (JsonNode c : history) {
      String status = c.path("status").asText();
      if ((status.equals("COMPLETED") || status.equals("FAILED")) && seen.add(c.path("id").asLong())) {
        done.add(c);
      }
    }
    done.sort(java.util.Comparator.comparingLong(c -> c.path("id").asLong()));
    List<String> cells = new ArrayList<>();
    for (JsonNode c : done) {
      String duration = String.format(Locale.ROOT, "%.1f s", c.path("end_to_end_duration").asLong() / 1000.0);
      cells.add(c.path("status").asText().equals("FAILED") ? c.path("id").asLong() + " FAILED " + duration
          : String.format(Locale.ROOT, "%d %s %.1f MB", c.path("id").asLong(), duration,
              c.path("checkpointed_size").asLong() / 1e6));
    }
    return String.join(", ", cells);
  }

  private static String rate(double delta, double seconds) {
    return Double.isNaN(delta) ? "-" : String.format(Locale.ROOT, "%,.0f", delta / seconds);
  }

  private static String whole(Double v) {
    return v == null || v.isNaN() ? "-" : Long.toString(Math.round(v));
  }
}
