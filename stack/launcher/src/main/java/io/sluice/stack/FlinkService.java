package io.sluice.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A standalone Flink session cluster from Maven-resolved jars (flink-dist is not in Maven Central): one
 * JobManager and one TaskManager, each in its own JVM, sized the way Flink's own scripts size them.
 */
public final class FlinkService implements Service {
  private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
  private static final Pattern TASK_MANAGERS = Pattern.compile("\"taskmanagers\"\\s*:\\s*(\\d+)");
  private static final Pattern SLOTS = Pattern.compile("\"slots-total\"\\s*:\\s*(\\d+)");
  private static final Pattern VERSION = Pattern.compile("\"flink-version\"\\s*:\\s*\"([^\"]+)\"");

  /**
   * What flink-dist's default config passes every Flink JVM on JDK 17 (env.java.default-opts.all): without
   * java.util opened, the JobManager cannot even build a job graph.
   */
  static final List<String> JDK17_OPENS = List.of(
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED",
      "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  /**
   * Pekko's scheduler thread ticks every 10 ms by default, in each of the two actor systems of a JobManager and of a
   * TaskManager (RPC and metrics): 200 wake-ups a second that cost each process 1.5-3 % of a core on the benchmarks'
   * machine, 0.15-0.3 µs per flow record at 100,000 records/s in the TaskManager (BENCHMARKS.md, "Flink's fixed costs,
   * and the row's strings", issue 22 sixth round).
   * Flink times nothing on it finer than its heartbeats and RPC timeouts (seconds); Pekko reads the system property
   * over its reference.conf, since Flink's own Pekko config does not set the tick. The k8s manifests pass the same
   * flag ({@code env.java.opts.all}).
   */
  static final String PEKKO_TICK = "-Dpekko.scheduler.tick-duration=100ms";

  /**
   * The TaskManager's collector: the parallel (throughput) collector instead of G1. With keyed state on the heap, G1
   * spent about a third of the L7 TaskManager's CPU (young collections scanning the state's old regions for references
   * to new packets, concurrent marking, remembered-set refinement), shrinking the young generation to meet its pause
   * goal (BENCHMARKS.md, "the TaskManager's collector", issue 22 seventh round). A streaming TaskManager is
   * throughput-bound; pauses of a second are far inside its heartbeat and checkpoint timeouts.
   */
  static final String TASK_MANAGER_GC = "-XX:+UseParallelGC";

  private final StackSettings settings;
  private final Path dir;
  private final ManagedProcess jobManager;
  private final ManagedProcess taskManager;

  public FlinkService(StackSettings settings) {
    this.settings = settings;
    this.dir = settings.workDir().toAbsolutePath().resolve("flink");
    Path work = settings.workDir().toAbsolutePath();
    this.jobManager = new ManagedProcess("flink-jobmanager", work, dir.resolve("log/jobmanager.out"));
    this.taskManager = new ManagedProcess("flink-taskmanager", work, dir.resolve("log/taskmanager.out"));
  }

  @Override
  public String name() {
    return "flink";
  }

  @Override
  public void start() {
    if (jobManager.isRunning() && taskManager.isRunning()) {
      return;
    }
    Path lib = JavaCommand.libDir(settings, "flink-cluster");
    Path conf = dir.resolve("conf");
    try {
      for (String sub : List.of("conf", "log", "tmp", "uploads", "checkpoints", "savepoints", "plugins")) {
        Files.createDirectories(dir.resolve(sub));
      }
      Files.writeString(conf.resolve("config.yaml"), config());
      Files.writeString(conf.resolve("log4j.properties"), Log4jConfig.rollingFile(Path.of("${sys:log.file}")));
    } catch (IOException e) {
      throw new StackException("cannot write the Flink config under " + dir + ": " + e.getMessage(), e);
    }
    if (!jobManager.isRunning()) {
      Ports.requireFree(settings.flinkRestPort(), "Flink", "--flink-rest-port");
      Ports.requireFree(settings.flinkRpcPort(), "Flink", "--flink-rpc-port");
      startRole(jobManager, lib, conf, "GET_JM_RESOURCE_PARAMS", "jobmanager",
          "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
    }
    if (!taskManager.isRunning()) {
      startRole(taskManager, lib, conf, "GET_TM_RESOURCE_PARAMS", "taskmanager",
          "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
    }
  }

  private void startRole(ManagedProcess process, Path lib, Path conf, String resourceQuery, String role, String main) {
    // Flink's scripts ask BashJavaUtils for the JVM memory flags and the matching dynamic properties.
    String output = JavaCommand.runToCompletion(
        JavaCommand.command(List.of("-Xmx128m"), lib, "org.apache.flink.runtime.util.bash.BashJavaUtils",
            List.of(resourceQuery, "--configDir", conf.toString())),
        60, "computing the Flink " + role + " memory settings");
    List<String> results = output.lines().filter(l -> l.startsWith(RESULT_PREFIX))
        .map(l -> l.substring(RESULT_PREFIX.length()).trim()).toList();
    if (results.size() < 2) {
      throw new StackException("unexpected BashJavaUtils output for " + role + ":\n" + output);
    }
    List<String> jvm = new ArrayList<>(split(results.get(0)));
    jvm.addAll(JDK17_OPENS);
    jvm.add(PEKKO_TICK);
    if (role.equals("taskmanager")) {
      jvm.add(TASK_MANAGER_GC);
    }
    jvm.add("-Dlog.file=" + dir.resolve("log/" + role + ".log"));
    jvm.add("-Dlog4j.configuration=file:" + conf.resolve("log4j.properties"));
    jvm.add("-Dlog4j.configurationFile=file:" + conf.resolve("log4j.properties"));
    List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
    args.addAll(split(results.get(results.size() - 1)));
    process.start(JavaCommand.command(jvm, lib, main, args), dir);
  }

  private static List<String> split(String flags) {
    return Arrays.stream(flags.split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  @Override
  public Health health() {
    boolean jm = jobManager.isRunning();
    boolean tm = taskManager.isRunning();
    if (!jm || !tm) {
      return Health.down("jobmanager " + (jm ? "running" : "not running") + ", taskmanager " + (tm ? "running" : "not running"));
    }
    Optional<String> overview = Http.get(endpoint() + "/overview");
    if (overview.isEmpty()) {
      return Health.down("REST API not answering on " + endpoint());
    }
    int taskManagers = number(TASK_MANAGERS, overview.get());
    if (taskManagers < 1) {
      return Health.down("jobmanager up, no taskmanager registered yet");
    }
    Matcher version = VERSION.matcher(overview.get());
    return Health.up("Flink " + (version.find() ? version.group(1) : "?") + ", " + taskManagers + " taskmanager(s), "
        + number(SLOTS, overview.get()) + " slots");
  }

  private static int number(Pattern pattern, String json) {
    Matcher m = pattern.matcher(json);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  @Override
  public String endpoint() {
    return settings.flinkUrl();
  }

  @Override
  public Path logFile() {
    return dir.resolve("log/jobmanager.log");
  }

  public Path taskManagerLog() {
    return dir.resolve("log/taskmanager.log");
  }

  @Override
  public List<ManagedProcess> processes() {
    return List.of(jobManager, taskManager);
  }

  public ManagedProcess taskManagerProcess() {
    return taskManager;
  }

  private String config() {
    // Heaps for a 2-core, 24 GiB machine: a small JobManager and a TaskManager with room for two jobs.
    return String.join("\n",
        "jobmanager.rpc.address: 127.0.0.1",
        "jobmanager.rpc.port: " + settings.flinkRpcPort(),
        "jobmanager.bind-host: 127.0.0.1",
        "taskmanager.bind-host: 127.0.0.1",
        "taskmanager.host: 127.0.0.1",
        "rest.address: 127.0.0.1",
        "rest.bind-address: 127.0.0.1",
        "rest.port: " + settings.flinkRestPort(),
        "jobmanager.memory.process.size: 1024m",
        "taskmanager.memory.process.size: 3072m",
        "taskmanager.memory.managed.fraction: 0.1",
        "taskmanager.numberOfTaskSlots: " + settings.taskSlots(),
        "parallelism.default: 1",
        "execution.checkpointing.dir: file://" + dir.resolve("checkpoints"),
        "execution.checkpointing.savepoint-dir: file://" + dir.resolve("savepoints"),
        "web.upload.dir: " + dir.resolve("uploads"),
        "io.tmp.dirs: " + dir.resolve("tmp"),
        "heartbeat.timeout: 20000",
        // The REST API's metrics are fetched from the TaskManagers on request, at most this often (default 10 s):
        // `sluice bench l7`'s timeline reads them every 5 s. Nothing is fetched while nobody asks.
        "metrics.fetcher.update-interval: 1000",
        "");
  }
}
