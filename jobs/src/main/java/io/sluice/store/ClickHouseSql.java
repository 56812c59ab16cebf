package io.sluice.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What Sluice says to a ClickHouse: one statement per call, and RowBinary inserts. The migrator, the sink's staging
 * store and the tests speak through this, so the same SQL text runs on a server over HTTP ({@link ClickHouseHttp})
 * and, in tests, on ClickHouse 26.7 embedded in-process (chDB).
 */
public interface ClickHouseSql {
  /** The default database for statements, or null for the server's default. */
  String database();

  /** The same connection with another default database (null: the server's default). */
  ClickHouseSql withDatabase(String database);

  /** Runs a statement and returns the raw response (TabSeparated unless the statement names a FORMAT). */
  String execute(String sql);

  /**
   * Runs a statement under a fixed query id, with settings for this statement only. A server refuses a second query
   * with the same id while the first still runs (error 216); where there is no query id (in-process), it is ignored.
   */
  String execute(String sql, String queryId, Map<String, String> settings);

  /** {@code INSERT INTO table (columns) FORMAT RowBinary} with the first {@code length} bytes of {@code rows}. */
  void insertRowBinary(String table, List<String> columns, byte[] rows, int length);

  /**
   * The same under a fixed query id, so that an insert whose answer was lost can be told apart from one still
   * running (error 216 for a second one meanwhile). Where there is no query id (in-process) it is ignored.
   */
  default void insertRowBinary(String table, List<String> columns, byte[] rows, int length, String queryId) {
    insertRowBinary(table, columns, rows, length);
  }

  default String execute(String sql, String queryId) {
    return execute(sql, queryId, Map.of());
  }

  /** Runs a SELECT (without a FORMAT clause) and returns its column names and rows, unescaped. */
  default Table query(String select) {
    String body = execute(select.strip().replaceAll(";\\s*$", "") + "\nFORMAT TabSeparatedWithNames");
    List<String> lines = body.lines().toList();
    if (lines.isEmpty()) {
      return new Table(List.of(), List.of());
    }
    List<String> names = Tsv.split(lines.get(0));
    List<List<String>> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      rows.add(Tsv.split(lines.get(i)));
    }
    return new Table(names, rows);
  }

  /** The single value of a one-row, one-column query. */
  default String scalar(String select) {
    Table table = query(select);
    if (table.rows().size() != 1 || table.rows().get(0).size() != 1) {
      throw new ClickHouseException(-1, "expected one value from: " + select + ", got " + table.rows());
    }
    return table.rows().get(0).get(0);
  }

  default String serverVersion() {
    return scalar("SELECT version()");
  }

  /** {@code INSERT INTO table (columns)}: the statement both implementations send their RowBinary rows with. */
  static String insertInto(String table, List<String> columns) {
    return "INSERT INTO " + table + " (" + String.join(", ", columns) + ")";
  }

  record Table(List<String> columns, List<List<String>> rows) {}
}
