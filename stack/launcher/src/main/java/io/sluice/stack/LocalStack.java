package io.sluice.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The local stack: ClickHouse, a Kafka broker and a Flink cluster, started together and checked together. */
public final class LocalStack {
  private final StackSettings settings;
  private final ClickHouseService clickhouse;
  private final KafkaService kafka;
  private final FlinkService flink;

  public LocalStack(StackSettings settings) {
    this.settings = settings;
    this.clickhouse = new ClickHouseService(settings);
    this.kafka = new KafkaService(settings);
    this.flink = new FlinkService(settings);
  }

  public StackSettings settings() {
    return settings;
  }

  public List<Service> services() {
    return List.of(clickhouse, kafka, flink);
  }

  public ClickHouseService clickhouse() {
    return clickhouse;
  }

  public KafkaService kafka() {
    return kafka;
  }

  public FlinkService flink() {
    return flink;
  }

  /**
   * Starts every service, then waits until all are healthy. On failure it stops the services it started (the
   * logs stay) and throws with the reason and the log to read.
   */
  public Map<Service, Service.Health> up(long timeoutMillis, PrintStream progress) {
    List<Service> started = new ArrayList<>();
    try {
      for (Service service : services()) {
        boolean wasRunning = service.isRunning();
        if (!wasRunning) {
          started.add(service);
        }
        service.start();
        progress.println((wasRunning ? "already running: " : "starting: ") + service.name());
      }
      return awaitHealthy(timeoutMillis);
    } catch (RuntimeException e) {
      for (int i = started.size() - 1; i >= 0; i--) {
        started.get(i).stop();
      }
      throw e;
    }
  }

  private Map<Service, Service.Health> awaitHealthy(long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (true) {
      Map<Service, Service.Health> health = status();
      if (health.values().stream().allMatch(Service.Health::healthy)) {
        return health;
      }
      for (Map.Entry<Service, Service.Health> entry : health.entrySet()) {
        if (!entry.getKey().isRunning()) {
          throw new StackException(entry.getKey().name() + " exited while starting. Last lines of "
              + entry.getKey().logFile() + ":\n" + tail(entry.getKey()));
        }
      }
      if (System.currentTimeMillis() > deadline) {
        StringBuilder message = new StringBuilder("the stack did not become healthy within " + timeoutMillis / 1000 + " s:");
        health.forEach((s, h) -> {
          if (!h.healthy()) {
            message.append("\n  ").append(s.name()).append(": ").append(h.detail()).append(" (log ").append(s.logFile()).append(")");
          }
        });
        throw new StackException(message.toString());
      }
      ManagedProcess.sleep(250);
    }
  }

  public Map<Service, Service.Health> status() {
    Map<Service, Service.Health> health = new LinkedHashMap<>();
    for (Service service : services()) {
      health.put(service, service.health());
    }
    return health;
  }

  /** Stops every service; returns the number of processes that were running. */
  public int down() {
    int stopped = 0;
    List<Service> all = services();
    for (int i = all.size() - 1; i >= 0; i--) {
      stopped += all.get(i).stop();
    }
    return stopped;
  }

  private static String tail(Service service) {
    for (Path log : List.of(service.logFile(), service.processes().get(0).logFile())) {
      try {
        if (Files.exists(log)) {
          List<String> lines = Files.readAllLines(log);
          return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
      } catch (IOException e) {
        // try the next log
      }
    }
    return "(no log)";
  }
}
