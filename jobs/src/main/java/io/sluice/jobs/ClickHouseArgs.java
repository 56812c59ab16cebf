package io.sluice.jobs;

import io.sluice.ingest.DefaultEndpoints;
import io.sluice.store.sink.SinkSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a job writes: {@code clickhouse=URL} for one server, or {@code clickhouse-shards=URL,URL,...} (one
 * endpoint per shard, in shard order) with {@code clickhouse-cluster=NAME} for a schema migrated with
 * {@code sluice db migrate --cluster NAME}; {@code database} either way.
 */
public final class ClickHouseArgs {
  public static final Set<String> KEYS = Set.of("clickhouse", "clickhouse-shards", "clickhouse-cluster", "database");

  private ClickHouseArgs() {}

  public static SinkSettings sink(Map<String, String> options, String table) {
    String database = options.getOrDefault("database", "sluice");
    String shards = options.get("clickhouse-shards");
    String cluster = options.get("clickhouse-cluster");
    if (shards == null) {
      if (cluster != null) {
        throw new IllegalArgumentException("clickhouse-cluster needs clickhouse-shards=URL,URL,... (one endpoint per shard)");
      }
      return SinkSettings.of(options.getOrDefault("clickhouse", DefaultEndpoints.CLICKHOUSE), database, table);
    }
    if (options.containsKey("clickhouse")) {
      throw new IllegalArgumentException("give either clickhouse=URL (one server) or clickhouse-shards=URL,URL,..., not both");
    }
    if (cluster == null) {
      throw new IllegalArgumentException("clickhouse-shards needs clickhouse-cluster=NAME, the cluster the schema was migrated on");
    }
    List<String> urls = Arrays.stream(shards.split(",")).map(String::strip).filter(u -> !u.isEmpty()).toList();
    return SinkSettings.sharded(urls, cluster, database, table);
  }
}
