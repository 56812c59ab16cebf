package io.sluice.store;

import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import java.util.UUID;

/**
 * One real ClickHouse server for all tests in this JVM, started on first use and stopped when the JVM exits (its
 * directory deleted then).
 * Each test works in a database of its own.
 */
public final class TestClickHouse {
  private static ClickHouseService server;
  private static String url;

  private TestClickHouse() {}

  public static synchronized String url() {
    if (server == null) {
      var settings = TestStack.settings();
      server = TestStack.start(new ClickHouseService(settings), 60_000);
      url = settings.clickhouseUrl();
      ClickHouseService started = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> TestStack.stopAndDelete(settings, started)));
    }
    return url;
  }

  /** A new, empty database name for one test. */
  public static String newDatabase(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }
}
