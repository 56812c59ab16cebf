package io.sluice.cli.stack;

import io.sluice.cli.UserError;
import io.sluice.cli.db.MigrateCommand;
import io.sluice.stack.LocalStack;
import io.sluice.stack.Service;
import io.sluice.stack.StackException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "up", mixinStandardHelpOptions = true,
    description = {"Start the local stack (ClickHouse, a Kafka broker, a Flink cluster), wait until each is healthy,",
        "create the Kafka topics and apply the schema migrations."})
public final class UpCommand implements Callable<Integer> {
  @Mixin StackOptions stackOptions;
  @Spec CommandSpec spec;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "180", description = "How long to wait for health. Default: ${DEFAULT-VALUE}.")
  int timeoutSeconds;

  @Option(names = "--no-migrate", description = "Do not apply schema migrations.")
  boolean noMigrate;

  @Override
  public Integer call() {
    bringUp(new LocalStack(stackOptions.settings()), timeoutSeconds, !noMigrate, spec.commandLine().getOut());
    return 0;
  }

  /** What `sluice up` does; `sluice demo` starts the same way. */
  public static void bringUp(LocalStack stack, int timeoutSeconds, boolean migrate, PrintWriter out) {
    long started = System.nanoTime();
    Map<Service, Service.Health> health;
    try {
      health = stack.up(timeoutSeconds * 1000L, new java.io.PrintStream(System.out, true));
    } catch (StackException e) {
      throw new UserError(e.getMessage(), e);
    }
    KafkaTopics.ensure(stack.settings().kafkaBootstrap(), out);
    if (migrate) {
      MigrateCommand.migrate(stack.settings().clickhouseUrl(), MigrateCommand.DEFAULT_DATABASE,
          stack.settings().repoRoot().resolve("sql"), out);
    }
    out.printf("Stack healthy in %.1f s (work dir %s)%n", (System.nanoTime() - started) / 1e9, stack.settings().workDir());
    StatusTable.print(out, health);
    out.println("Flink web UI: " + stack.settings().flinkUrl());
    out.flush();
  }
}
