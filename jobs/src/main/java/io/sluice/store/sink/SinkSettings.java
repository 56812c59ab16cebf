package io.sluice.store.sink;

import java.io.Serializable;

/**
 * Where and how the ClickHouse sink writes.
 *
 * @param chunkRows rows per commit chunk: each chunk moves from staging to the table as one INSERT block, which
 *     ClickHouse writes atomically. It must stay below the server's min_insert_block_size_rows (1,048,576 by
 *     default) so that the server does not split it.
 * @param flushRows stage buffered rows once this many are buffered
 * @param flushBytes or once the buffer is this large
 * @param flushIntervalMillis or at least this often
 * @param maxBackoffMillis the longest wait between retries while ClickHouse is unreachable
 */
public record SinkSettings(
    String url,
    String database,
    String table,
    int chunkRows,
    int flushRows,
    int flushBytes,
    long flushIntervalMillis,
    long maxBackoffMillis)
    implements Serializable {

  public static SinkSettings of(String url, String database, String table) {
    return new SinkSettings(url, database, table, 200_000, 100_000, 16 << 20, 2_000, 10_000);
  }

  public SinkSettings withChunkRows(int rows) {
    return new SinkSettings(url, database, table, rows, flushRows, flushBytes, flushIntervalMillis, maxBackoffMillis);
  }

  public SinkSettings withFlush(int rows, int bytes, long intervalMillis) {
    return new SinkSettings(url, database, table, chunkRows, rows, bytes, intervalMillis, maxBackoffMillis);
  }

  public SinkSettings {
    if (chunkRows < 1 || chunkRows > 1_000_000) {
      throw new IllegalArgumentException("chunkRows must be 1..1,000,000, got " + chunkRows);
    }
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]*") || !database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("invalid table or database name: " + database + "." + table);
    }
  }

  String stagingTable() {
    return "_sluice_stage_" + table;
  }
}
