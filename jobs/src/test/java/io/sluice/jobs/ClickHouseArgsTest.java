package io.sluice.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.store.sink.SinkSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClickHouseArgsTest {
  @Test
  void oneServerByDefault() {
    SinkSettings s = ClickHouseArgs.sink(Map.of("clickhouse", "http://ch:8123"), "flows");
    assertFalse(s.clustered());
    assertEquals(List.of("http://ch:8123"), s.shardUrls());
    assertEquals("flows", s.targetTable());
  }

  @Test
  void shardsWriteTheLocalTablesOfEachShard() {
    SinkSettings s = ClickHouseArgs.sink(Map.of("clickhouse-shards", "http://a:8123, http://b:8123",
        "clickhouse-cluster", "sluice", "database", "d"), "flows");
    assertTrue(s.clustered());
    assertEquals(2, s.shards());
    assertEquals("http://b:8123", s.forShard(1).url());
    assertEquals("flows_local", s.targetTable());
  }

  @Test
  void halfAClusterConfigurationIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> ClickHouseArgs.sink(Map.of("clickhouse-shards", "http://a:8123"), "t"));
    assertThrows(IllegalArgumentException.class, () -> ClickHouseArgs.sink(Map.of("clickhouse-cluster", "c"), "t"));
    assertThrows(IllegalArgumentException.class, () -> ClickHouseArgs.sink(Map.of("clickhouse", "http://x:8123",
        "clickhouse-shards", "http://a:8123", "clickhouse-cluster", "c"), "t"));
  }
}
