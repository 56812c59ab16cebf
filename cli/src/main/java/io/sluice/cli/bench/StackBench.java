package io.sluice.cli.bench;

import io.sluice.cli.UserError;
import io.sluice.cli.TablePrinter;
import io.sluice.cli.stack.StackOptions;
import io.sluice.stack.LocalStack;
import io.sluice.stack.ManagedProcess;
import io.sluice.stack.Service;
import io.sluice.stack.StackException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "stack", mixinStandardHelpOptions = true,
    description = {"Warm start time of the local stack (down, then up until every service is healthy), repeated,",
        "and the resident memory of each process once idle. The stack is left down."})
public final class StackBench implements Callable<Integer> {
  @Mixin StackOptions stackOptions;
  @Spec CommandSpec spec;

  @Option(names = "--runs", defaultValue = "3", description = "Start-ups to time. Default: ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--idle-seconds", defaultValue = "30", description = "Wait before reading idle memory. Default: ${DEFAULT-VALUE}.")
  int idleSeconds;

  @Override
  public Integer call() throws InterruptedException {
    if (runs < 1 || idleSeconds < 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--runs must be >= 1 and --idle-seconds >= 0");
    }
    PrintWriter out = spec.commandLine().getOut();
    LocalStack stack = new LocalStack(stackOptions.settings());
    PrintStream quiet = new PrintStream(PrintStream.nullOutputStream());
    List<Double> seconds = new ArrayList<>();
    try {
      stack.up(180_000, quiet); // a first start formats storage and warms the page cache; it is not timed
      for (int run = 0; run < runs; run++) {
        stack.down();
        long start = System.nanoTime();
        stack.up(180_000, quiet);
        seconds.add((System.nanoTime() - start) / 1e9);
      }
      Thread.sleep(idleSeconds * 1000L);
      List<List<String>> rows = new ArrayList<>();
      for (Service service : stack.services()) {
        for (ManagedProcess process : service.processes()) {
          long pid = process.pid().orElseThrow();
          rows.add(List.of(process.name(), Long.toString(pid), String.format(Locale.ROOT, "%.0f", rssMiB(pid))));
        }
      }
      out.println("Warm start of the local stack, down -> all healthy (" + runs + " runs):");
      List<List<String>> times = new ArrayList<>();
      for (int i = 0; i < seconds.size(); i++) {
        times.add(List.of(Integer.toString(i + 1), String.format(Locale.ROOT, "%.1f", seconds.get(i))));
      }
      TablePrinter.print(out, List.of("run", "seconds"), times);
      out.println();
      out.println("Resident memory after " + idleSeconds + " s idle:");
      TablePrinter.print(out, List.of("process", "pid", "RSS MiB"), rows);
    } catch (StackException e) {
      throw new UserError(e.getMessage(), e);
    } finally {
      stack.down();
    }
    return 0;
  }

  private static double rssMiB(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
        }
      }
    } catch (IOException e) {
      // the process is gone: report 0
    }
    return 0;
  }
}
