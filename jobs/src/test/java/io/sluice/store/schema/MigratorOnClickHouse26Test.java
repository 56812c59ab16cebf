package io.sluice.store.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.TestClickHouse;
import io.sluice.store.chdb.Chdb;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link MigratorTest} on ClickHouse 26.7 (chDB, in-process), and what only a current release shows: every
 * migration in sql/ takes the modern expansion of each placeholder, and the cluster layout of every statement
 * parses. The files are found in sql/, so migrations added later are checked too.
 */
class MigratorOnClickHouse26Test extends MigratorTest {
  private static final Path SQL = TestStack.repoRoot().resolve("sql");
  private static final Pattern TABLE = Pattern.compile("(?is)^\\s*(?:--[^\\n]*\\n\\s*)*(?:CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS|ALTER\\s+TABLE)\\s+(\\w+)");
  private static final Pattern TYPED_COLUMN = Pattern.compile("(\\w+)\\s+\\{\\{\\s*(lowcard|ipv6)\\s*(?::([^}]*))?\\}\\}");
  private static final Pattern CODEC_COLUMN = Pattern.compile(
      "(?im)^\\s*(?:(?:ALTER\\s+TABLE\\s+\\w+\\s+)?ADD\\s+COLUMN\\s+)?(\\w+)\\s+[^{\\n]*\\{\\{\\s*codec\\s*:");

  @Override
  protected ClickHouseSql server() {
    return Chdb.clickHouse();
  }

  @Test
  void everyPlaceholderOfEveryMigrationTakesTheModernExpansion() {
    String database = TestClickHouse.newDatabase("modern");
    Migrator.Result result = new Migrator(server(), database, SQL, log::add).migrate();
    assertEquals(EnumSet.allOf(ServerFeature.class), result.capabilities().features(), result.capabilities().describe());
    ClickHouseSql db = server().withDatabase(database);
    int checked = 0;
    for (MigrationFile file : MigrationFile.list(SQL)) {
      for (SqlStatements.Statement statement : SqlStatements.split(file.text())) {
        Matcher table = TABLE.matcher(statement.sql());
        if (!table.find()) {
          continue;
        }
        String where = file.fileName() + " line " + statement.line() + ", table " + table.group(1);
        Map<String, List<String>> columns = columns(db, table.group(1));
        Matcher typed = TYPED_COLUMN.matcher(statement.sql());
        while (typed.find()) {
          String expected = typed.group(2).equals("ipv6") ? "IPv6" : "LowCardinality(" + typed.group(3).strip() + ")";
          assertEquals(expected, column(columns, typed.group(1)).get(0), where + ", column " + typed.group(1));
          checked++;
        }
        Matcher codec = CODEC_COLUMN.matcher(statement.sql());
        while (codec.find()) {
          assertTrue(column(columns, codec.group(1)).get(1).startsWith("CODEC("), where + ", column " + codec.group(1)
              + " has no codec: " + columns.get(codec.group(1)));
          checked++;
        }
        if (statement.sql().contains("{{ttl:")) {
          String ddl = db.scalar("SELECT create_table_query FROM system.tables WHERE database = currentDatabase()"
              + " AND name = '" + table.group(1) + "'");
          assertTrue(ddl.contains(" TTL "), where + " has no TTL: " + ddl);
          checked++;
        }
      }
    }
    assertTrue(checked > 0, "no placeholder found in sql/");
    System.out.println("ClickHouse " + result.capabilities().version() + ": " + checked + " placeholders checked in "
        + MigrationFile.list(SQL).size() + " migrations");
  }

  /**
   * chDB has no remote_servers cluster nor Keeper, so `--cluster` cannot run here; 26.7's parser still reads every
   * statement the rewrite makes of every file (rendered as a 26.7 server renders it).
   */
  @Test
  void theClusterLayoutOfEveryStatementParses() {
    String database = TestClickHouse.newDatabase("cluster");
    ClickHouseSql db = server();
    ServerCapabilities capabilities = ServerCapabilities.probe(db);
    List<MigrationFile> files = MigrationFile.list(SQL);
    List<String> all = new ArrayList<>();
    files.forEach(f -> SqlStatements.split(f.text()).forEach(s -> all.add(s.sql())));
    ClusterDdl cluster = new ClusterDdl("sluice", database, ClusterDdl.tablesCreatedIn(all));
    List<String> failures = new ArrayList<>();
    int parsed = 0;
    List<String> statements = new ArrayList<>(List.of(cluster.createDatabase()));
    for (MigrationFile file : files) {
      for (SqlStatements.Statement statement : SqlStatements.split(capabilities.render(file.text()))) {
        statements.addAll(cluster.rewrite(statement.sql()));
      }
    }
    for (String sql : statements) {
      try {
        db.scalar("SELECT formatQuery('" + sql.replace("\\", "\\\\").replace("'", "\\'") + "')");
        parsed++;
      } catch (ClickHouseException e) {
        failures.add(e.getMessage() + "\n" + sql);
      }
    }
    assertEquals(List.of(), failures);
    assertTrue(statements.stream().anyMatch(s -> s.contains("ON CLUSTER sluice")), statements.toString());
    System.out.println(parsed + " cluster statements parsed on ClickHouse " + capabilities.version());
  }

  private static List<String> column(Map<String, List<String>> columns, String name) {
    List<String> column = columns.get(name);
    assertTrue(column != null, "no column " + name + " in " + columns.keySet());
    return column;
  }

  /** name -> [type, compression_codec] */
  private static Map<String, List<String>> columns(ClickHouseSql db, String table) {
    Map<String, List<String>> columns = new java.util.HashMap<>();
    for (List<String> row : db.query("SELECT name, type, compression_codec FROM system.columns"
        + " WHERE database = currentDatabase() AND table = '" + table + "'").rows()) {
      columns.put(row.get(0), List.of(row.get(1), row.get(2)));
    }
    assertTrue(!columns.isEmpty(), "no table " + table);
    return columns;
  }
}
