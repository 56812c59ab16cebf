package io.sluice.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print a table for BENCHMARKS.md.",
    subcommands = {StackBench.class, FlowsBench.class, L7Bench.class})
public final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a benchmark: see `sluice bench --help`.");
  }
}
