package io.sluice.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real services for integration tests: each gets a fresh work directory under /tmp and free loopback ports, so
 * tests never collide with a developer's running stack or with each other.
 */
public final class TestStack {
  private TestStack() {}

  /** The Sluice checkout, found by walking up from the working directory. */
  public static Path repoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("sql")) && Files.isRegularFile(dir.resolve("sluice"))) {
        return dir;
      }
    }
    throw new IllegalStateException("not inside a Sluice checkout: " + Path.of("").toAbsolutePath());
  }

  /** Settings with a new temporary work directory and free ports. */
  public static StackSettings settings() {
    try {
      Path work = Files.createTempDirectory("sluice-test-");
      return StackSettings.defaults(repoRoot()).withWorkDir(work)
          .withPorts(Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free());
    } catch (IOException e) {
      throw new StackException("cannot create a test work directory: " + e.getMessage(), e);
    }
  }

  /**
   * Stops the services, then deletes the work directory {@link #settings()} made for them (hundreds of MB of
   * ClickHouse's and Kafka's data): the deletion follows the stop in the caller's thread, so nothing still uses it.
   * For services a JVM shares, call it from their own shutdown hook, not from a second one: hooks run concurrently.
   */
  public static void stopAndDelete(StackSettings settings, Service... services) {
    for (Service service : services) {
      service.stop();
    }
    deleteTree(settings.workDir());
  }

  /** Deletes a directory and everything in it; what cannot be deleted is left (a test's leftovers, not an error). */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // left behind
        }
      });
    } catch (IOException | java.io.UncheckedIOException ignored) {
      // left behind
    }
  }

  /** Starts one service and waits until it is healthy. */
  public static <S extends Service> S start(S service, long timeoutMillis) {
    service.start();
    long deadline = System.currentTimeMillis() + timeoutMillis;
    Service.Health health = service.health();
    while (!health.healthy()) {
      if (!service.isRunning() || System.currentTimeMillis() > deadline) {
        service.stop();
        throw new StackException(service.name() + " did not become healthy: " + health.detail() + " (log " + service.logFile() + ")");
      }
      ManagedProcess.sleep(100);
      health = service.health();
    }
    return service;
  }

  /**
   * The value once it equals {@code expected}, or the last one read after two minutes: for an assertion on rows still
   * on their way through a running pipeline (two minutes is a ceiling for a busy machine, not a target).
   */
  public static <T> T eventually(T expected, java.util.function.Supplier<T> actual) {
    long deadline = System.currentTimeMillis() + 120_000;
    T last = actual.get();
    while (!last.equals(expected) && System.currentTimeMillis() < deadline) {
      ManagedProcess.sleep(500);
      last = actual.get();
    }
    return last;
  }
}
