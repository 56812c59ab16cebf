package io.sluice.store.sink;

import io.sluice.store.schema.ClusterDdl;
import java.io.Serializable;
import java.util.List;

/**
 * Where and how the ClickHouse sink writes.
 *
 * @param url the server this sink instance talks to (in cluster mode: one of {@code shardUrls})
 * @param chunkRows rows per commit chunk: each chunk moves from staging to the table as one INSERT block, which
 *     ClickHouse writes atomically. It must stay below the server's min_insert_block_size_rows (1,048,576 by
 *     default) so that the server does not split it.
 * @param flushRows stage buffered rows once this many are buffered
 * @param flushBytes or once the buffer is this large
 * @param flushIntervalMillis or at least this often
 * @param maxBackoffMillis the longest wait between retries while ClickHouse is unreachable
 * @param shardUrls one endpoint per shard, in shard order; a single-node sink has just {@code url}
 * @param cluster the remote_servers cluster of a sharded, replicated schema ({@code sluice db migrate --cluster}),
 *     or null for one server
 */
public record SinkSettings(
    String url,
    String database,
    String table,
    int chunkRows,
    int flushRows,
    int flushBytes,
    long flushIntervalMillis,
    long maxBackoffMillis,
    List<String> shardUrls,
    String cluster)
    implements Serializable {

  public static SinkSettings of(String url, String database, String table) {
    return new SinkSettings(url, database, table, 200_000, 100_000, 16 << 20, 2_000, 10_000, List.of(url), null);
  }

  /** A sink over a sharded cluster: writer subtask i writes to the local tables of shard i mod shards. */
  public static SinkSettings sharded(List<String> shardUrls, String cluster, String database, String table) {
    if (shardUrls.isEmpty()) {
      throw new IllegalArgumentException("a sharded sink needs at least one shard URL");
    }
    return new SinkSettings(shardUrls.get(0), database, table, 200_000, 100_000, 16 << 20, 2_000, 10_000,
        shardUrls, cluster);
  }

  public SinkSettings withChunkRows(int rows) {
    return new SinkSettings(url, database, table, rows, flushRows, flushBytes, flushIntervalMillis, maxBackoffMillis,
        shardUrls, cluster);
  }

  public SinkSettings withFlush(int rows, int bytes, long intervalMillis) {
    return new SinkSettings(url, database, table, chunkRows, rows, bytes, intervalMillis, maxBackoffMillis, shardUrls,
        cluster);
  }

  /** The same sink, talking to shard {@code shard}'s endpoint. */
  public SinkSettings forShard(int shard) {
    return new SinkSettings(shardUrls.get(shard), database, table, chunkRows, flushRows, flushBytes,
        flushIntervalMillis, maxBackoffMillis, shardUrls, cluster);
  }

  public SinkSettings {
    if (chunkRows < 1 || chunkRows > 1_000_000) {
      throw new IllegalArgumentException("chunkRows must be 1..1,000,000, got " + chunkRows);
    }
    if (!table.matches("[A-Za-z_][A-Za-z0-9_]*") || !database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("invalid table or database name: " + database + "." + table);
    }
    if (cluster != null && !cluster.matches("[A-Za-z_][A-Za-z0-9_\\-]*")) {
      throw new IllegalArgumentException("invalid cluster name: " + cluster);
    }
    shardUrls = List.copyOf(shardUrls);
  }

  public int shards() {
    return shardUrls.size();
  }

  public boolean clustered() {
    return cluster != null;
  }

  /** The table the committed rows go into: on a cluster, the shard's local table under the Distributed one. */
  public String targetTable() {
    return clustered() ? table + ClusterDdl.LOCAL_SUFFIX : table;
  }

  String stagingTable() {
    return "_sluice_stage_" + table;
  }
}
