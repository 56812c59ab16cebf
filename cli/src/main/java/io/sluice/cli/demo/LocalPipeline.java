package io.sluice.cli.demo;

import io.sluice.cli.Main;
import io.sluice.cli.UserError;
import io.sluice.cli.db.MigrateCommand;
import io.sluice.cli.sources.SourceRegistry;
import io.sluice.cli.submit.FlinkRest;
import io.sluice.ingest.sources.InvalidSourceException;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.stack.StackSettings;
import io.sluice.wire.FlowSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The steps `sluice demo` and `sluice bench flows` share on a running local stack. */
public final class LocalPipeline {
  private LocalPipeline() {}

  /** Cancels the running FlowJob, if any (its checkpointed offsets stay with its consumer group). */
  public static void cancelFlowJob(StackSettings settings, PrintWriter out) throws IOException {
    FlinkRest rest = new FlinkRest(settings.flinkUrl());
    for (var job : rest.get("/jobs/overview").path("jobs")) {
      if (job.path("name").asText().equals("sluice-flows") && job.path("state").asText().equals("RUNNING")) {
        rest.cancel(job.path("jid").asText());
        out.println("cancelled FlowJob " + job.path("jid").asText());
      }
    }
  }

  /** Registers a source in Kafka and the ClickHouse mirror, as `sluice sources add` does, unless one of that name exists. */
  public static void ensureSource(StackSettings settings, String prefix, String name, Integer samplingRate, PrintWriter out) {
    Map<String, FlowSource> registered = new SourcesTopic(io.sluice.ingest.KafkaConnection.plaintext(settings.kafkaBootstrap()), io.sluice.ingest.Topics.SOURCES).readAll(Duration.ofSeconds(30), p -> {});
    if (registered.values().stream().anyMatch(s -> s.getName().equals(name))) {
      return;
    }
    SourceRegistry registry = new SourceRegistry(io.sluice.ingest.KafkaConnection.plaintext(settings.kafkaBootstrap()), settings.clickhouseUrl(), MigrateCommand.DEFAULT_DATABASE);
    try {
      out.println(registry.add(new Sources.Request(prefix, name, samplingRate, false, "demo", List.of(), null, false, false), true, out)
          .message());
    } catch (InvalidSourceException e) {
      throw new UserError("registering " + name + " failed: " + e.getMessage(), e);
    }
  }

  /** Submits FlowJob to the local cluster unless it already runs there. */
  public static void ensureFlowJob(StackSettings settings, PrintWriter out) throws IOException {
    FlinkRest rest = new FlinkRest(settings.flinkUrl());
    for (var job : rest.get("/jobs/overview").path("jobs")) {
      if (job.path("name").asText().equals("sluice-flows") && job.path("state").asText().equals("RUNNING")) {
        out.println("FlowJob already running: " + job.path("jid").asText());
        return;
      }
    }
    submitFlowJob(settings, 2000, out);
  }

  /** Submits L7Job (unbounded, committing every 2 s) to the local cluster unless it already runs there. */
  public static void ensureL7Job(StackSettings settings, PrintWriter out) throws IOException {
    ensureJob(settings, "sluice-l7", "L7Job", "l7", out);
  }

  /** Submits the connections job (unbounded, committing every 2 s) unless it already runs there. */
  public static void ensureConnectionsJob(StackSettings settings, PrintWriter out) throws IOException {
    ensureJob(settings, "sluice-connections", "the connections job", "connections", out);
  }

  private static void ensureJob(StackSettings settings, String jobName, String label, String submitName, PrintWriter out)
      throws IOException {
    FlinkRest rest = new FlinkRest(settings.flinkUrl());
    for (var job : rest.get("/jobs/overview").path("jobs")) {
      if (job.path("name").asText().equals(jobName) && job.path("state").asText().equals("RUNNING")) {
        out.println(label + " already running: " + job.path("jid").asText());
        return;
      }
    }
    int code = Main.newCommandLine().setOut(out).setErr(out).execute("submit", "--flink", settings.flinkUrl(), submitName,
        "kafka=" + settings.kafkaBootstrap(), "clickhouse=" + settings.clickhouseUrl(), "checkpoint-ms=2000");
    if (code != 0) {
      throw new UserError("submitting " + label + " failed (exit " + code + ")");
    }
  }

  /** Submits FlowJob with the given checkpoint interval (the commit interval of its rows) and more arguments. */
  public static void submitFlowJob(StackSettings settings, long checkpointMs, PrintWriter out, String... more) {
    submitFlowJob(settings, checkpointMs, null, out, more);
  }

  /** As above, from {@code jar} (null: the checkout's job jar). */
  public static void submitFlowJob(StackSettings settings, long checkpointMs, java.nio.file.Path jar, PrintWriter out,
      String... more) {
    List<String> args = new ArrayList<>(List.of("submit", "--flink", settings.flinkUrl()));
    if (jar != null) {
      args.add("--jar=" + jar.toAbsolutePath());
    }
    args.addAll(List.of("flows",
        "kafka=" + settings.kafkaBootstrap(), "clickhouse=" + settings.clickhouseUrl(), "checkpoint-ms=" + checkpointMs));
    args.addAll(List.of(more));
    int code = Main.newCommandLine().setOut(out).setErr(out).execute(args.toArray(String[]::new));
    if (code != 0) {
      throw new UserError("submitting FlowJob failed (exit " + code + ")");
    }
  }
}
