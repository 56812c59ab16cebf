package io.sluice.store.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterDdlTest {
  private final ClusterDdl ddl = new ClusterDdl("c1", "db", Set.of("flows", "flows_1m", "sources"));

  @Test
  void aTableBecomesReplicatedLocalTablesUnderADistributedOne() {
    List<String> out = ddl.rewrite("""
        -- comment with FROM sources in it
        CREATE TABLE IF NOT EXISTS flows_1m
        (
            time DateTime, -- the minute
            n    UInt64
        )
        ENGINE = SummingMergeTree((n))
        PARTITION BY toYYYYMM(time)
        ORDER BY time
        TTL time + INTERVAL 1 YEAR""");
    assertEquals(2, out.size(), out.toString());
    assertEquals("""
        CREATE TABLE IF NOT EXISTS db.flows_1m_local ON CLUSTER c1 (
            time DateTime,
            n    UInt64
        )
        ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/db/flows_1m_local', '{replica}', (n))
        PARTITION BY toYYYYMM(time)
        ORDER BY time
        TTL time + INTERVAL 1 YEAR""", out.get(0));
    assertEquals("CREATE TABLE IF NOT EXISTS db.flows_1m ON CLUSTER c1 AS db.flows_1m_local"
        + " ENGINE = Distributed(c1, db, flows_1m_local, rand())", out.get(1));
  }

  @Test
  void aSmallTableIsOneReplicaSetOverEveryNode() {
    assertEquals(List.of("CREATE TABLE IF NOT EXISTS db.sources ON CLUSTER c1 (prefix String, v UInt64)"
            + " ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/db/sources', '{replica}', v) ORDER BY prefix"),
        ddl.rewrite("CREATE TABLE IF NOT EXISTS sources (prefix String, v UInt64) ENGINE = ReplacingMergeTree(v) ORDER BY prefix"));
  }

  @Test
  void materializedViewsJoinTheLocalTablesAndPlainViewsThePublicOnes() {
    assertEquals(List.of("CREATE MATERIALIZED VIEW IF NOT EXISTS db.flows_1m_mv ON CLUSTER c1 TO db.flows_1m_local AS"
            + " SELECT toStartOfMinute(time) AS time, count() AS n FROM db.flows_local GROUP BY time"),
        ddl.rewrite("CREATE MATERIALIZED VIEW IF NOT EXISTS flows_1m_mv TO flows_1m AS\n"
            + "SELECT toStartOfMinute(time) AS time, count() AS n FROM flows GROUP BY time").stream()
            .map(s -> s.replace("\n", " ")).toList());
    assertEquals(List.of("CREATE VIEW IF NOT EXISTS db.sources_current ON CLUSTER c1 AS SELECT prefix FROM db.sources FINAL"),
        ddl.rewrite("CREATE VIEW IF NOT EXISTS sources_current AS SELECT prefix FROM sources FINAL"));
  }

  @Test
  void aStatementWithoutARuleIsRefusedByName() {
    MigrationException error = assertThrows(MigrationException.class,
        () -> ddl.rewrite("ALTER TABLE flows DROP COLUMN x"));
    assertTrue(error.getMessage().contains("no rule for this statement") && error.getMessage().contains("ALTER TABLE flows"),
        error.getMessage());
    assertThrows(MigrationException.class, () -> ddl.rewrite("CREATE TABLE IF NOT EXISTS m (x UInt8) ENGINE = Memory"));
  }

  @Test
  void anAddedColumnReachesTheLocalAndTheDistributedTable() {
    assertEquals(List.of("DROP TABLE IF EXISTS db.flows ON CLUSTER c1",
            "ALTER TABLE db.flows_local ON CLUSTER c1 ADD COLUMN cgroup_id UInt64 AFTER container",
            "CREATE TABLE IF NOT EXISTS db.flows ON CLUSTER c1 AS db.flows_local ENGINE = Distributed(c1, db, flows_local, rand())"),
        ddl.rewrite("-- a comment\nALTER TABLE flows ADD COLUMN cgroup_id UInt64 AFTER container"));
    assertEquals(List.of("ALTER TABLE db.sources ON CLUSTER c1 ADD COLUMN note String"),
        ddl.rewrite("ALTER TABLE sources ADD COLUMN note String"));
    assertThrows(MigrationException.class, () -> ddl.rewrite("ALTER TABLE nowhere ADD COLUMN x UInt8"));
  }
}
