package io.sluice.cli.db;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "db", mixinStandardHelpOptions = true, description = "ClickHouse schema.",
    subcommands = {MigrateCommand.class})
public final class DbCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a db command: see `sluice db --help`.");
  }
}
