package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.submit.FlinkRest;
import io.sluice.ingest.Topics;
import io.sluice.stack.LocalStack;
import io.sluice.stack.ManagedProcess;
import io.sluice.stack.Service;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local stack as `sluice up` brings it: real ClickHouse, Kafka and Flink processes on free ports in a
 * temporary work directory, driven through the CLI itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackTest {
  private static StackSettings settings;
  private static LocalStack stack;
  private static String[] stackArgs;
  private static final List<Long> pids = new ArrayList<>();

  @BeforeAll
  static void up() {
    settings = TestStack.settings();
    stack = new LocalStack(settings);
    stackArgs = new String[] {"--work-dir", settings.workDir().toString(),
        "--clickhouse-http-port", Integer.toString(settings.clickhouseHttpPort()),
        "--clickhouse-tcp-port", Integer.toString(settings.clickhouseTcpPort()),
        "--kafka-port", Integer.toString(settings.kafkaPort()),
        "--kafka-controller-port", Integer.toString(settings.kafkaControllerPort()),
        "--flink-rest-port", Integer.toString(settings.flinkRestPort()),
        "--flink-rpc-port", Integer.toString(settings.flinkRpcPort())};
    CliRun run = CliRun.of(concat(new String[] {"up"}, stackArgs));
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().contains("applied 001_flows.sql"), run.toString());
    assertTrue(run.out().contains(settings.flinkUrl()), run.toString());
    for (Service service : stack.services()) {
      for (ManagedProcess process : service.processes()) {
        pids.add(process.pid().orElseThrow(() -> new AssertionError(process.name() + " has no pid")));
      }
    }
  }

  @AfterAll
  static void safetyNet() {
    if (stack != null) {
      stack.down();
      TestStack.deleteTree(settings.workDir()); // every process stopped
    }
  }

  @Test
  @Order(1)
  void statusShowsThreeHealthyServicesWithTheirLogs() {
    CliRun run = CliRun.of(concat(new String[] {"status"}, stackArgs));
    assertEquals(0, run.exitCode(), run.toString());
    assertEquals(3, run.out().lines().filter(l -> l.contains(" healthy ")).count(), run.toString());
    assertTrue(run.out().contains("Flink 2.2.1"), run.toString());
    for (Service service : stack.services()) {
      assertTrue(run.out().contains(service.logFile().toString()), run.toString());
      assertTrue(Files.exists(service.logFile()), service.logFile() + " exists");
    }
  }

  @Test
  @Order(2)
  void kafkaHasEveryTopicWithItsPartitionsAndCompaction() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrap()))) {
      Set<String> names = admin.listTopics().names().get();
      for (Topics.Spec spec : Topics.ALL) {
        assertTrue(names.contains(spec.name()), spec.name() + " in " + names);
        int partitions = admin.describeTopics(List.of(spec.name())).allTopicNames().get().get(spec.name()).partitions().size();
        assertEquals(spec.partitions(), partitions, spec.name());
      }
      ConfigResource sources = new ConfigResource(ConfigResource.Type.TOPIC, Topics.SOURCES);
      Config config = admin.describeConfigs(List.of(sources)).all().get().get(sources);
      assertEquals("compact", config.get("cleanup.policy").value());
    }
  }

  @Test
  @Order(3)
  void rowsWrittenToClickHouseReadBackThroughSluiceQuery() {
    ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), "sluice");
    db.execute("INSERT INTO flows (time, exporter_name, src_port, sampled_bytes, sampling_rate, est_bytes) VALUES "
        + "('2026-11-22 10:00:00', 'edge-1', 53, 120, 1000, 120000), ('2026-11-22 10:00:01', 'edge-2', 443, 1500, 1, 1500)");
    CliRun run = CliRun.of("query", "--clickhouse", settings.clickhouseUrl(),
        "SELECT exporter_name, src_port, sampled_bytes, est_bytes FROM flows ORDER BY time");
    assertEquals(0, run.exitCode(), run.toString());
    List<String> lines = run.out().lines().toList();
    assertEquals(List.of("exporter_name", "src_port", "sampled_bytes", "est_bytes"), List.of(lines.get(0).split("\\s+")));
    assertEquals(List.of("edge-1", "53", "120", "120000"), List.of(lines.get(2).split("\\s+")));
    assertEquals(List.of("edge-2", "443", "1500", "1500"), List.of(lines.get(3).split("\\s+")));
    assertEquals("2 row(s)", lines.get(4));

    CliRun again = CliRun.of("db", "migrate", "--clickhouse", settings.clickhouseUrl());
    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(again.out().contains("schema is up to date"), again.toString());
  }

  @Test
  @Order(4)
  void aJobFromTheShadedJarRunsOnTheStandaloneCluster() throws Exception {
    Path jar = shadedJobJar();
    CliRun run = CliRun.of("submit", "--flink", settings.flinkUrl(), "--jar", jar.toString(), "cluster-check", "50000");
    assertEquals(0, run.exitCode(), run.toString());
    Matcher id = Pattern.compile("as job ([0-9a-f]{32})").matcher(run.out());
    assertTrue(id.find(), run.toString());
    FlinkRest rest = new FlinkRest(settings.flinkUrl());
    String state = rest.jobState(id.group(1));
    long deadline = System.currentTimeMillis() + 180_000;  // a ceiling: a busy machine schedules the job slowly
    while (!state.equals("FINISHED") && System.currentTimeMillis() < deadline) {
      assertFalse(Set.of("FAILED", "CANCELED").contains(state), "job state " + state);
      Thread.sleep(200);
      state = rest.jobState(id.group(1));
    }
    assertEquals("FINISHED", state);
  }

  @Test
  @Order(5)
  void downStopsEveryProcessAndLeavesNothingBehind() throws Exception {
    CliRun run = CliRun.of(concat(new String[] {"down"}, stackArgs));
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.out().contains("stopped 4 process(es)"), run.toString());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " still alive");
    }
    assertEquals(List.of(), processesMentioning(settings.workDir().toString()));
    CliRun status = CliRun.of(concat(new String[] {"status"}, stackArgs));
    assertEquals(1, status.exitCode(), status.toString());
  }

  static Path shadedJobJar() throws IOException {
    Path target = TestStack.repoRoot().resolve("jobs/target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst()
          .orElseThrow(() -> new AssertionError("no shaded job jar in " + target + "; run mvn package"));
    }
  }

  private static List<String> processesMentioning(String marker) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(marker) && !proc.getFileName().toString().equals(Long.toString(ProcessHandle.current().pid()))) {
            found.add(proc.getFileName() + ": " + cmdline.replace('\0', ' '));
          }
        } catch (IOException gone) {
          // the process ended while we looked
        }
      }
    }
    return found;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
