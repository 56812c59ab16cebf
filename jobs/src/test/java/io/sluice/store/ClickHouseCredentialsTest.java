package io.sluice.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.stack.ClickHouseService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, item 6 (part): a real ClickHouse server with a password user. Credentials in the URL are sent as HTTP
 * basic authentication (the CLI's --clickhouse, the jobs' clickhouse=, db migrate all build a ClickHouseHttp), a
 * wrong password is refused, and the password never appears in an error message.
 */
class ClickHouseCredentialsTest {
  /** The user the statement runs as (18.16 has no currentUser()): the statement finds itself in system.processes. */
  private static final String WHO = "SELECT user FROM system.processes WHERE query LIKE '%/* who am i */%'";
  @Test
  void credentialsInTheUrlAreSentAndAWrongPasswordIsRefused() throws Exception {
    StackSettings settings = TestStack.settings();
    ClickHouseService server = new ClickHouseService(settings);
    Path usersD = settings.workDir().toAbsolutePath().resolve("clickhouse/users.d");
    Files.createDirectories(usersD);
    Files.writeString(usersD.resolve("writer.xml"), """
        <?xml version="1.0"?>
        <yandex>
          <users>
            <writer>
              <password>s3cret/+:x</password>
              <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
              <profile>default</profile>
              <quota>default</quota>
            </writer>
          </users>
        </yandex>
        """);
    TestStack.start(server, 60_000);
    try {
      String host = settings.clickhouseUrl().replaceFirst("^http://", "");
      ClickHouseHttp writer = new ClickHouseHttp("http://writer:s3cret%2F%2B%3Ax@" + host, null);
      assertEquals("writer", writer.scalar(WHO));
      assertEquals("writer", writer.withDatabase("system").scalar(WHO), "kept with another database");
      assertEquals("default", new ClickHouseHttp(settings.clickhouseUrl(), null).scalar(WHO));
      ClickHouseException refused = assertThrows(ClickHouseException.class,
          () -> new ClickHouseHttp("http://writer:wrong@" + host, null).scalar("SELECT 1"));
      assertTrue(!refused.getMessage().contains("wrong"), refused.getMessage());
    } finally {
      TestStack.stopAndDelete(settings, server);
    }
  }
}
