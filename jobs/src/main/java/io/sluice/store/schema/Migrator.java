package io.sluice.store.schema;

import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseSql;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Applies pending {@code sql/NNN_*.sql} files in order and records each in {@code schema_migrations}.
 *
 * <p>ClickHouse has no transactional DDL, so a file that fails half way is not recorded and runs again from its
 * first statement next time: migrations are written with IF NOT EXISTS so that a rerun is harmless.
 */
public final class Migrator {
  private final ClickHouseSql server;
  private final String database;
  private final Path sqlDir;
  private final String cluster;
  private final Consumer<String> log;

  public Migrator(ClickHouseSql server, String database, Path sqlDir, Consumer<String> log) {
    this(server, database, sqlDir, null, log);
  }

  /**
   * @param cluster the remote_servers cluster to migrate as a sharded, replicated layout (see {@link ClusterDdl}),
   *     or null for one server
   */
  public Migrator(ClickHouseSql server, String database, Path sqlDir, String cluster, Consumer<String> log) {
    this.server = server.withDatabase(null);
    this.database = database;
    this.sqlDir = sqlDir;
    this.cluster = cluster;
    this.log = log;
  }

  public record Result(ServerCapabilities capabilities, List<String> applied, int alreadyApplied) {}

  public Result migrate() {
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new MigrationException("invalid database name '" + database + "': use letters, digits and _");
    }
    List<MigrationFile> files = MigrationFile.list(sqlDir);
    ClusterDdl clusterDdl = cluster == null ? null : clusterDdl(files);
    ClickHouseSql db = server.withDatabase(database);
    if (clusterDdl == null) {
      server.execute("CREATE DATABASE IF NOT EXISTS " + database);
      db.execute(SCHEMA_MIGRATIONS);
    } else {
      String engine = server.query("SELECT engine FROM system.tables WHERE database = '" + database
          + "' AND name = 'schema_migrations'").rows().stream().map(r -> r.get(0)).findFirst().orElse("");
      if (!engine.isEmpty() && !engine.startsWith("Replicated")) {
        throw new MigrationException("database " + database + " on this server was migrated for one server (" + engine
            + " tables); --cluster does not convert it: migrate a new database, then move the data (sql/README.md)");
      }
      server.execute(clusterDdl.createDatabase());
      clusterDdl.rewrite(SCHEMA_MIGRATIONS).forEach(db::execute);
      // Replicated to every node: catch up with runs made through another node before deciding what is pending.
      db.execute("SYSTEM SYNC REPLICA " + database + ".schema_migrations");
    }
    Map<Integer, List<String>> applied = new HashMap<>();
    for (List<String> row : db.query("SELECT version, file_name, checksum FROM schema_migrations").rows()) {
      applied.put(Integer.parseInt(row.get(0)), row);
    }
    ServerCapabilities capabilities = ServerCapabilities.probe(db);
    log.accept(capabilities.describe());
    List<String> done = new ArrayList<>();
    int skipped = 0;
    for (MigrationFile file : files) {
      List<String> record = applied.get(file.version());
      if (record != null) {
        if (!record.get(2).equals(file.checksum())) {
          throw new MigrationException(file.fileName() + " was changed after it was applied as " + record.get(1)
              + ". Write a new migration instead of editing an applied one.");
        }
        skipped++;
        continue;
      }
      apply(db, capabilities, clusterDdl, file);
      db.execute("INSERT INTO schema_migrations VALUES (" + file.version() + ", " + quote(file.fileName()) + ", "
          + quote(file.checksum()) + ", " + quote(capabilities.version()) + ", now())");
      log.accept("applied " + file.fileName());
      done.add(file.fileName());
    }
    if (done.isEmpty()) {
      log.accept("schema is up to date (" + skipped + " migrations already applied)");
    }
    return new Result(capabilities, done, skipped);
  }

  private void apply(ClickHouseSql db, ServerCapabilities capabilities, ClusterDdl clusterDdl, MigrationFile file) {
    String rendered;
    try {
      rendered = capabilities.render(file.text());
    } catch (IllegalArgumentException e) {
      throw new MigrationException(file.fileName() + ": " + e.getMessage());
    }
    for (SqlStatements.Statement statement : SqlStatements.split(rendered)) {
      List<String> sqls;
      try {
        sqls = clusterDdl == null ? List.of(statement.sql()) : clusterDdl.rewrite(statement.sql());
      } catch (MigrationException e) {
        throw new MigrationException(file.fileName() + " line " + statement.line() + ": " + e.getMessage());
      }
      for (String sql : sqls) {
        try {
          db.execute(sql);
        } catch (ClickHouseException e) {
          throw new MigrationException(file.fileName() + " line " + statement.line() + " failed.\nStatement:\n"
              + sql + "\nServer error:\n" + e.getMessage());
        }
      }
    }
  }

  /** Knows every table the files create, so references in later files resolve even when earlier files are applied. */
  private ClusterDdl clusterDdl(List<MigrationFile> files) {
    List<String> statements = new ArrayList<>();
    for (MigrationFile file : files) {
      SqlStatements.split(file.text()).forEach(s -> statements.add(s.sql()));
    }
    statements.add(SCHEMA_MIGRATIONS);
    return new ClusterDdl(cluster, database, ClusterDdl.tablesCreatedIn(statements));
  }

  private static final String SCHEMA_MIGRATIONS = "CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32,"
      + " file_name String, checksum String, server_version String, applied_at DateTime) ENGINE = MergeTree() ORDER BY version";

  private static String quote(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
