package io.sluice.cli;

import io.sluice.cli.db.DbCommand;
import io.sluice.cli.query.QueryCommand;
import io.sluice.cli.stack.DownCommand;
import io.sluice.cli.stack.StatusCommand;
import io.sluice.cli.stack.UpCommand;
import io.sluice.cli.submit.SubmitCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice 0.1.0",
    description = "Network observability on Flink, Kafka and ClickHouse.",
    subcommands = {
      io.sluice.cli.demo.DemoCommand.class,
      io.sluice.cli.demo.DemoExporterCommand.class,
      UpCommand.class,
      DownCommand.class,
      StatusCommand.class,
      DbCommand.class,
      SubmitCommand.class,
      QueryCommand.class,
      io.sluice.cli.bench.BenchCommand.class,
      io.sluice.cli.l7.L7Command.class,
      io.sluice.cli.replay.ReplayCommand.class,
      io.sluice.cli.decode.DecodeCommand.class,
      io.sluice.cli.sources.SourcesCommand.class,
      io.sluice.cli.collect.CollectCommand.class,
      io.sluice.cli.capture.CaptureCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: see `sluice --help`.");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code: 0 ok, 1 failed, 2 a usage error. */
  public static int run(String... args) {
    return newCommandLine().execute(args);
  }

  public static CommandLine newCommandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          if (ex instanceof UserError) {
            cmd.getErr().println("error: " + ex.getMessage());
            return 1;
          }
          if (ex instanceof BadArgument) {
            cmd.getErr().println("error: " + ex.getMessage());
            return 2;
          }
          throw ex;
        });
    return cli;
  }
}
