package io.sluice.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.stack.ClickHouseService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ClickHouseHttp authenticates as the user it is given, on a real 18.16 server with a second user: "reader", whose
 * password is s3cret and whose profile is read-only, so a refused CREATE proves a statement ran as that user.
 */
class ClickHouseHttpCredentialsTest {
  private static ClickHouseService server;
  private static StackSettings settings;
  private static String url;

  @BeforeAll
  static void up() throws IOException {
    settings = TestStack.settings();
    // The server merges users.d/*.xml into its users.xml.
    Path usersD = settings.workDir().toAbsolutePath().resolve("clickhouse/users.d");
    Files.createDirectories(usersD);
    Files.writeString(usersD.resolve("reader.xml"), """
        <?xml version="1.0"?>
        <yandex>
          <profiles><read_only><readonly>1</readonly></read_only></profiles>
          <users>
            <reader>
              <password>s3cret</password>
              <networks><ip>::1</ip><ip>127.0.0.1</ip></networks>
              <profile>read_only</profile>
              <quota>default</quota>
            </reader>
          </users>
        </yandex>
        """);
    server = TestStack.start(new ClickHouseService(settings), 60_000);
    url = settings.clickhouseUrl();
  }

  @AfterAll
  static void down() {
    if (server != null) {
      TestStack.stopAndDelete(settings, server);
    }
  }

  private static int refusedCode(ClickHouseSql ch) {
    return assertThrows(ClickHouseException.class, () -> ch.execute("CREATE DATABASE IF NOT EXISTS by_reader")).code();
  }

  @Test
  void statementsRunAsTheGivenUser() {
    ClickHouseHttp reader = new ClickHouseHttp(url, null, "reader", "s3cret");
    assertEquals("1", reader.scalar("SELECT 1"));
    assertEquals(164, refusedCode(reader), "readonly: the statement ran as reader");
    assertEquals(164, refusedCode(reader.withDatabase("system")), "withDatabase keeps the credentials");
    assertEquals("", new ClickHouseHttp(url, null).execute("CREATE DATABASE IF NOT EXISTS by_default"), "no credentials: default");
  }

  @Test
  void credentialsInTheUrlAreUsedAndNeverShown() {
    String withUser = url.replace("://", "://reader:s3cret@");
    ClickHouseHttp reader = new ClickHouseHttp(withUser, null);
    assertEquals(164, refusedCode(reader));

    ClickHouseHttp wrong = new ClickHouseHttp(url.replace("://", "://reader:wrong@"), null);
    ClickHouseException e = assertThrows(ClickHouseException.class, () -> wrong.scalar("SELECT 1"));
    assertEquals(193, e.code(), e.getMessage());

    ClickHouseHttp unreachable = new ClickHouseHttp("http://reader:s3cret@127.0.0.1:1", null);
    ClickHouseException down = assertThrows(ClickHouseException.class, () -> unreachable.scalar("SELECT 1"));
    assertFalse(down.getMessage().contains("s3cret"), down.getMessage());
  }
}
