package io.sluice.cli.stack;

import io.sluice.stack.LocalStack;
import io.sluice.stack.Service;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Show the health of each local service. Exits 0 when all are healthy, 1 otherwise.")
public final class StatusCommand implements Callable<Integer> {
  @Mixin StackOptions stackOptions;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Map<Service, Service.Health> health = new LocalStack(stackOptions.settings()).status();
    StatusTable.print(spec.commandLine().getOut(), health);
    return health.values().stream().allMatch(Service.Health::healthy) ? 0 : 1;
  }
}
