package io.sluice.cli.stack;

import io.sluice.cli.TablePrinter;
import io.sluice.stack.ManagedProcess;
import io.sluice.stack.Service;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Prints each service's health, endpoint, pids and log file. */
final class StatusTable {
  private StatusTable() {}

  static void print(PrintWriter out, Map<Service, Service.Health> health) {
    List<List<String>> rows = new ArrayList<>();
    health.forEach((service, h) -> rows.add(List.of(
        service.name(),
        h.healthy() ? "healthy" : "DOWN",
        service.endpoint(),
        pids(service),
        h.detail(),
        service.logFile().toString())));
    TablePrinter.print(out, List.of("service", "health", "endpoint", "pid", "detail", "log"), rows);
  }

  private static String pids(Service service) {
    List<String> pids = new ArrayList<>();
    for (ManagedProcess process : service.processes()) {
      process.pid().ifPresent(pid -> pids.add(Long.toString(pid)));
    }
    return pids.isEmpty() ? "-" : String.join(",", pids);
  }
}
