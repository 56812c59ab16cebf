package io.sluice.stack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A test stack's work directory goes once its services are stopped, not before. */
class TestStackTest {
  @Test
  void theWorkDirectoryIsDeletedAfterEveryServiceStopped() throws Exception {
    StackSettings settings = TestStack.settings();
    Path data = Files.createDirectories(settings.workDir().resolve("kafka/data/topic-0"));
    Files.writeString(data.resolve("00000000.log"), "records");
    List<Boolean> sawTheDirectory = new java.util.ArrayList<>();
    Service a = stopping("a", () -> sawTheDirectory.add(Files.isRegularFile(data.resolve("00000000.log"))));
    Service b = stopping("b", () -> sawTheDirectory.add(Files.isDirectory(settings.workDir())));
    TestStack.stopAndDelete(settings, a, b);
    assertTrue(sawTheDirectory.equals(List.of(true, true)), "both stopped with their data still there: " + sawTheDirectory);
    assertFalse(Files.exists(settings.workDir()), settings.workDir() + " deleted");
    TestStack.stopAndDelete(settings); // a second time: nothing left, no error
  }

  /** A service that only records its stop (no process: the deletion's order is what is tested). */
  private static Service stopping(String name, Runnable onStop) {
    return new Service() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void start() {}

      @Override
      public Health health() {
        return new Health(true, name);
      }

      @Override
      public String endpoint() {
        return name;
      }

      @Override
      public Path logFile() {
        return Path.of(name + ".log");
      }

      @Override
      public List<ManagedProcess> processes() {
        return List.of();
      }

      @Override
      public int stop() {
        onStop.run();
        return 1;
      }
    };
  }
}
