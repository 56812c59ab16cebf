package io.sluice.cli.stack;

import io.sluice.stack.LocalStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "down", mixinStandardHelpOptions = true, description = "Stop every process of the local stack.")
public final class DownCommand implements Callable<Integer> {
  @Mixin StackOptions stackOptions;
  @Spec CommandSpec spec;

  @Option(names = "--purge", description = "Also delete the work directory: all data, logs and configs.")
  boolean purge;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    LocalStack stack = new LocalStack(stackOptions.settings());
    int stopped = io.sluice.cli.demo.DemoProcesses.stopAll(stack.settings()) + stack.down();
    out.println(stopped == 0 ? "nothing was running" : "stopped " + stopped + " process(es)");
    Path work = stack.settings().workDir();
    if (purge && Files.isDirectory(work)) {
      try (Stream<Path> paths = Files.walk(work)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      out.println("deleted " + work);
    }
    return 0;
  }
}
