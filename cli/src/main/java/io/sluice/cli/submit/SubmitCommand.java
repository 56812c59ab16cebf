package io.sluice.cli.submit;

import io.sluice.cli.SluiceHome;
import io.sluice.cli.UserError;
import io.sluice.ingest.DefaultEndpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "submit", mixinStandardHelpOptions = true,
    description = {"Submit a Sluice job from the shaded job jar to a Flink cluster (REST /jars/upload + /jars/{id}/run).",
        "JOB is a name below or a fully qualified class in the jar; arguments after it go to the job."})
public final class SubmitCommand implements Callable<Integer> {
  /** Short names for the jobs in jobs/. */
  public static final Map<String, String> JOBS = new TreeMap<>(Map.of(
      "cluster-check", "io.sluice.jobs.ClusterCheckJob",
      "connections", "io.sluice.jobs.conn.ConnectionsJob",
      "sink-check", "io.sluice.jobs.SinkCheckJob",
      "flows", "io.sluice.jobs.flow.FlowJob",
      "l7", "io.sluice.jobs.l7.L7Job"));

  @Spec CommandSpec spec;

  @Option(names = "--flink", paramLabel = "URL", defaultValue = DefaultEndpoints.FLINK, description = "Flink REST URL. Default: ${DEFAULT-VALUE}.")
  String flink;

  @Option(names = "--jar", paramLabel = "FILE", description = "Job jar (default: jobs/target/sluice-jobs-*-job.jar).")
  Path jar;

  @Option(names = "--parallelism", paramLabel = "N", description = "Job parallelism (default: the cluster's).")
  Integer parallelism;

  @Parameters(index = "0", paramLabel = "JOB", description = "One of: ${COMPLETION-CANDIDATES}, or a class name.", completionCandidates = JobNames.class)
  String job;

  @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments for the job.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    io.sluice.cli.BadArgument.httpUrl("--flink", flink);
    String entryClass = JOBS.getOrDefault(job, job);
    if (!entryClass.contains(".")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Unknown job '" + job + "'. Use one of " + JOBS.keySet() + " or a fully qualified class name.");
    }
    if (parallelism != null && parallelism < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--parallelism must be 1 or more, got " + parallelism);
    }
    Path jobJar = jar != null ? jar : defaultJar();
    if (!Files.isRegularFile(jobJar)) {
      throw new UserError("no job jar at " + jobJar + "; build it with: mvn -q -DskipTests package -pl jobs -am");
    }
    PrintWriter out = spec.commandLine().getOut();
    FlinkRest rest = new FlinkRest(flink);
    try {
      String jarId = rest.upload(jobJar);
      String jobId = rest.run(jarId, entryClass, args, parallelism);
      out.println("submitted " + entryClass + " as job " + jobId);
      out.println("state: " + rest.jobState(jobId) + "  (" + flink + "/#/job/running/" + jobId + "/overview)");
      out.flush();
    } catch (IOException e) {
      throw new UserError(e.getMessage(), e);
    }
    return 0;
  }

  static Path defaultJar() {
    Path target = SluiceHome.find().resolve("jobs/target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().matches("sluice-jobs-.*-job\\.jar")).findFirst()
          .orElse(target.resolve("sluice-jobs-job.jar"));
    } catch (IOException e) {
      return target.resolve("sluice-jobs-job.jar");
    }
  }

  static final class JobNames extends ArrayList<String> {
    JobNames() {
      super(JOBS.keySet());
    }
  }
}
