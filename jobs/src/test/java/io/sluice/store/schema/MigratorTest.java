package io.sluice.store.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.TestClickHouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real migrations, and broken ones, against a real ClickHouse server (Debian's 18.16 here);
 * {@link MigratorOnClickHouse26Test} runs the same on ClickHouse 26.7.
 */
class MigratorTest {
  protected final List<String> log = new ArrayList<>();

  /** The server under test, with no default database. */
  protected ClickHouseSql server() {
    return new ClickHouseHttp(TestClickHouse.url(), null);
  }

  @Test
  void projectMigrationsApplyOnceAndTheSecondRunIsANoOp() {
    String database = TestClickHouse.newDatabase("migrate");
    Path sql = TestStack.repoRoot().resolve("sql");
    int files = MigrationFile.list(sql).size();
    ClickHouseSql server = server();

    Migrator.Result first = new Migrator(server, database, sql, log::add).migrate();
    assertEquals(files, first.applied().size());
    ClickHouseSql db = server.withDatabase(database);
    String tablesAfterFirst = db.query("SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name").rows().toString();
    assertTrue(tablesAfterFirst.contains("flows"), tablesAfterFirst);

    Migrator.Result second = new Migrator(server, database, sql, log::add).migrate();
    assertEquals(List.of(), second.applied());
    assertEquals(files, second.alreadyApplied());
    assertEquals(Integer.toString(files), db.scalar("SELECT count() FROM schema_migrations"));
    assertEquals(tablesAfterFirst,
        db.query("SELECT name FROM system.tables WHERE database = currentDatabase() ORDER BY name").rows().toString());
  }

  @Test
  void aBrokenStatementStopsTheRunAndNamesFileStatementAndServerError(@TempDir Path sql) throws Exception {
    Files.writeString(sql.resolve("001_good.sql"), "CREATE TABLE IF NOT EXISTS good (x UInt8) ENGINE = Memory;\n");
    Files.writeString(sql.resolve("002_broken.sql"), "CREATE TABLE IF NOT EXISTS fine (x UInt8) ENGINE = Memory;\n\n"
        + "CREATE TABLE broken (x NoSuchType) ENGINE = Memory;\n");
    Files.writeString(sql.resolve("003_after.sql"), "CREATE TABLE IF NOT EXISTS after (x UInt8) ENGINE = Memory;\n");
    String database = TestClickHouse.newDatabase("broken");
    ClickHouseSql server = server();

    MigrationException error = assertThrows(MigrationException.class, () -> new Migrator(server, database, sql, log::add).migrate());
    assertTrue(error.getMessage().startsWith("002_broken.sql line 3 failed"), error.getMessage());
    assertTrue(error.getMessage().contains("CREATE TABLE broken (x NoSuchType)"), error.getMessage());
    assertTrue(error.getMessage().contains("NoSuchType"), error.getMessage());
    assertTrue(error.getMessage().contains("Code: 50"), error.getMessage());

    ClickHouseSql db = server.withDatabase(database);
    assertEquals("1", db.scalar("SELECT count() FROM schema_migrations"), "only 001 is recorded");
    assertEquals("0", db.scalar("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = 'after'"),
        "nothing after the failure ran");

    Files.writeString(sql.resolve("002_broken.sql"), "CREATE TABLE IF NOT EXISTS fine (x UInt8) ENGINE = Memory;\n");
    Migrator.Result fixed = new Migrator(server, database, sql, log::add).migrate();
    assertEquals(List.of("002_broken.sql", "003_after.sql"), fixed.applied());
  }

  @Test
  void anEditedAppliedMigrationIsRefused(@TempDir Path sql) throws Exception {
    Files.writeString(sql.resolve("001_a.sql"), "CREATE TABLE IF NOT EXISTS a (x UInt8) ENGINE = Memory;\n");
    String database = TestClickHouse.newDatabase("edited");
    ClickHouseSql server = server();
    new Migrator(server, database, sql, log::add).migrate();
    Files.writeString(sql.resolve("001_a.sql"), "CREATE TABLE IF NOT EXISTS a (x UInt16) ENGINE = Memory;\n");
    MigrationException error = assertThrows(MigrationException.class, () -> new Migrator(server, database, sql, log::add).migrate());
    assertTrue(error.getMessage().contains("001_a.sql was changed after it was applied"), error.getMessage());
  }

  @Test
  void featuresFollowWhatTheServerAccepts(@TempDir Path sql) throws Exception {
    Files.writeString(sql.resolve("001_gated.sql"), """
        CREATE TABLE IF NOT EXISTS gated (
          t DateTime,
          name {{lowcard:String}},
          addr {{ipv6}},
          n UInt64 {{codec:T64, ZSTD}}
        ) ENGINE = MergeTree() ORDER BY t
        {{ttl:t + INTERVAL 1 DAY}};
        """);
    String database = TestClickHouse.newDatabase("gated");
    ClickHouseSql server = server();
    Migrator.Result result = new Migrator(server, database, sql, log::add).migrate();
    ServerCapabilities caps = result.capabilities();
    ClickHouseSql db = server.withDatabase(database);
    String types = db.query("SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'gated' ORDER BY name")
        .rows().toString();
    assertTrue(types.contains("[name, " + (caps.features().contains(ServerFeature.LOWCARD) ? "LowCardinality(String)" : "String") + "]"), types);
    assertTrue(types.contains("[addr, " + (caps.features().contains(ServerFeature.IPV6) ? "IPv6" : "FixedString(16)") + "]"), types);
    String ddl = db.scalar("SHOW CREATE TABLE gated");
    assertEquals(caps.features().contains(ServerFeature.TTL), ddl.contains("TTL"), ddl);
    assertEquals(caps.features().contains(ServerFeature.CODEC), ddl.contains("CODEC"), ddl);
    if (caps.version().startsWith("18.")) {
      assertEquals(java.util.Set.of(), caps.features(), "18.16 has none of the gated features without experimental settings");
    }
  }

  @Test
  void anUnknownPlaceholderIsAnErrorNamingTheFile(@TempDir Path sql) throws Exception {
    Files.writeString(sql.resolve("001_typo.sql"), "CREATE TABLE IF NOT EXISTS t (x {{lowcardinality:String}}) ENGINE = Memory;\n");
    ClickHouseSql server = server();
    MigrationException error = assertThrows(MigrationException.class,
        () -> new Migrator(server, TestClickHouse.newDatabase("typo"), sql, log::add).migrate());
    assertTrue(error.getMessage().startsWith("001_typo.sql: unknown placeholder {{lowcardinality:String}}"), error.getMessage());
  }
}
