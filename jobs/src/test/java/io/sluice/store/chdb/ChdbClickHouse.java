package io.sluice.store.chdb;

import io.sluice.store.ClickHouseSql;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link ClickHouseSql} on the JVM's chDB session: the SQL the migrator, the sink and the dashboards send a server
 * over HTTP, run on ClickHouse 26.7 in-process.
 */
public final class ChdbClickHouse implements ClickHouseSql {
  private final Chdb session;
  private final String database;

  ChdbClickHouse(Chdb session, String database) {
    this.session = session;
    this.database = database;
  }

  public Chdb session() {
    return session;
  }

  @Override
  public String database() {
    return database;
  }

  @Override
  public ChdbClickHouse withDatabase(String other) {
    return new ChdbClickHouse(session, other);
  }

  @Override
  public String execute(String sql) {
    return session.execute(database, sql);
  }

  /**
   * There is no query id in-process (and no concurrent caller to fend off). Settings apply to this statement only,
   * as the HTTP interface's URL parameters do: set before it, put back after it.
   */
  @Override
  public String execute(String sql, String queryId, Map<String, String> settings) {
    return withSettings(settings, () -> execute(sql));
  }

  @Override
  public void insertRowBinary(String table, List<String> columns, byte[] rows, int length) {
    session.insertRowBinary(database, ClickHouseSql.insertInto(table, columns), rows, length);
  }

  /** As {@link #insertRowBinary(String, List, byte[], int)}, with settings for this insert only. */
  public void insertRowBinary(String table, List<String> columns, byte[] rows, int length, Map<String, String> settings) {
    withSettings(settings, () -> {
      insertRowBinary(table, columns, rows, length);
      return null;
    });
  }

  private <T> T withSettings(Map<String, String> settings, java.util.function.Supplier<T> statement) {
    if (settings.isEmpty()) {
      return statement.get();
    }
    synchronized (session) {
      List<String> names = new ArrayList<>(settings.keySet());
      List<List<String>> before = query("SELECT name, value FROM system.settings WHERE name IN ('"
          + String.join("', '", names) + "')").rows();
      settings.forEach((name, value) -> execute("SET " + name + " = '" + value.replace("'", "\\'") + "'"));
      try {
        return statement.get();
      } finally {
        before.forEach(row -> execute("SET " + row.get(0) + " = '" + row.get(1).replace("'", "\\'") + "'"));
      }
    }
  }
}
