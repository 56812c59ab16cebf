package io.sluice.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.jobs.SinkCheckJob;
import io.sluice.stack.TestClickHouseCluster;
import io.sluice.stack.TestClickHouseCluster.Node;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.MigrationFile;
import io.sluice.store.schema.Migrator;
import io.sluice.store.sink.ClickHouseSink;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import io.sluice.store.sink.SinkSettings;
import io.sluice.store.sink.StagedBatch;
import io.sluice.store.sink.StagingStore;
import io.sluice.testing.RestartingEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The sharded, replicated layout on a real cluster: an in-process ZooKeeper and four Debian clickhouse-server
 * processes (2 shards x 2 replicas), the schema migrated ON CLUSTER, the sink in a Flink MiniCluster writing per
 * shard, and a failover to the other replica of a shard in the middle of a commit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShardedClickHouseTest {
  private static final String CLUSTER = "sluice";
  private static final String DATABASE = "sluice";

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** Static: the operator instance is recreated on restart, the flag must survive it. */
  static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

  private static TestZooKeeper zookeeper;
  private static TestClickHouseCluster cluster;
  private static Path sql;
  private final List<String> log = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    zookeeper = new TestZooKeeper();
    cluster = TestClickHouseCluster.start(CLUSTER, "127.0.0.1", zookeeper.port(), 2, 2);
    TestClickHouseCluster started = cluster;
    Runtime.getRuntime().addShutdownHook(new Thread(started::close)); // also when the JVM ends without @AfterAll
    sql = TestStack.repoRoot().resolve("sql");
    new Migrator(new ClickHouseHttp(node(0, 0).url(), null), DATABASE, sql, CLUSTER, line -> {}).migrate();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (zookeeper != null) {
      zookeeper.close();
    }
  }

  private static Node node(int shard, int replica) {
    return cluster.shards().get(shard).get(replica);
  }

  private static ClickHouseHttp db(Node node) {
    return new ClickHouseHttp(node.url(), DATABASE);
  }

  private static void sync(Node node, String table) {
    db(node).execute("SYSTEM SYNC REPLICA " + DATABASE + "." + table);
  }

  @Test
  @Order(1)
  void migrationsLayOutEveryNodeAndASecondRunThroughAnotherNodeIsANoOp() {
    int files = MigrationFile.list(sql).size();
    String expected = null;
    for (Node node : cluster.nodes()) {
      String tables = db(node).query("SELECT name, engine FROM system.tables WHERE database = currentDatabase()"
          + " AND name NOT LIKE '\\\\_sluice%' ORDER BY name").rows().toString();
      if (expected == null) {
        expected = tables;
      }
      assertEquals(expected, tables, "node s" + node.shard() + "r" + node.replica() + " has the same tables");
    }
    for (String sharded : List.of("flows", "flows_1m", "flows_1h", "exporter_stats", "interface_counters", "dns", "http")) {
      assertTrue(expected.contains("[" + sharded + ", Distributed]"), sharded + ": " + expected);
      assertTrue(expected.contains("[" + sharded + "_local, Replicated"), sharded + "_local: " + expected);
    }
    assertTrue(expected.contains("[flows_1m_mv, MaterializedView]"), expected);
    assertTrue(expected.contains("[sources, ReplicatedReplacingMergeTree]"), expected);
    assertTrue(expected.contains("[sources_current, View]"), expected);
    assertTrue(expected.contains("[schema_migrations, ReplicatedMergeTree]"), expected);

    Migrator.Result again = new Migrator(new ClickHouseHttp(node(1, 1).url(), null), DATABASE, sql, CLUSTER, log::add).migrate();
    assertEquals(List.of(), again.applied(), String.join("\n", log));
    assertEquals(files, again.alreadyApplied());
    for (Node node : cluster.nodes()) {
      sync(node, "schema_migrations");
      assertEquals(Integer.toString(files), db(node).scalar("SELECT count() FROM schema_migrations"), "one record per file");
    }
  }

  @Test
  @Order(5)
  void aDatabaseMigratedForOneServerIsNotSilentlyLeftAsItIs() {
    Node node = node(1, 0);
    new Migrator(new ClickHouseHttp(node.url(), null), "single", sql, log::add).migrate();
    io.sluice.store.schema.MigrationException error = org.junit.jupiter.api.Assertions.assertThrows(
        io.sluice.store.schema.MigrationException.class,
        () -> new Migrator(new ClickHouseHttp(node.url(), null), "single", sql, CLUSTER, log::add).migrate());
    assertTrue(error.getMessage().contains("was migrated for one server"), error.getMessage());
  }

  @Test
  @Order(2)
  void sourcesWrittenOnOneNodeAreOnEveryNode() {
    db(node(0, 1)).execute("INSERT INTO sources (prefix, name, updated_ns) VALUES ('192.0.2.0/24', 'edge-1', 1)");
    db(node(1, 0)).execute("INSERT INTO sources (prefix, name, updated_ns) VALUES ('192.0.2.0/24', 'edge-1b', 2)");
    for (Node node : cluster.nodes()) {
      sync(node, "sources");
      assertEquals("edge-1b", db(node).scalar("SELECT name FROM sources_current WHERE prefix = '192.0.2.0/24'"));
    }
  }

  @Test
  @Order(3)
  void theSinkWritesEachRowOnceReplicatedAndRolledUpDespiteAFailure() throws Exception {
    long rows = 40_000;
    SinkSettings settings = SinkSettings.sharded(cluster.firstReplicaUrls(), CLUSTER, DATABASE, "flows")
        .withChunkRows(5_000).withFlush(2_000, 1 << 20, 100);
    StreamExecutionEnvironment env = RestartingEnvironment.create(100, 200);
    FAILED_ONCE.set(false);
    SinkCheckJob.pipeline(env, rows, 20_000)
        .map(id -> {
          if (id == 23_000 && FAILED_ONCE.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure at id 23000");
          }
          return id;
        })
        .sinkTo(new ClickHouseSink<>(settings, new FlowOfId()));
    env.execute("sharded-sink");
    assertTrue(FAILED_ONCE.get(), "the failure was injected");

    // A Distributed read takes any replica of a shard: let every replica fetch the parts first (the rollups'
    // parts are fetched apart from the table's; reading before that once saw 38,382 of 40,000 in flows_1m).
    for (Node node : cluster.nodes()) {
      for (String table : List.of("flows_local", "flows_1m_local", "flows_1h_local")) {
        sync(node, table);
      }
    }
    // Through the Distributed tables, from a node the sink never wrote to: every row once, rollups complete.
    ClickHouseHttp reader = db(node(1, 1));
    long bytes = rows * (rows - 1) / 2;
    assertEquals(rows + "\t" + rows + "\t" + bytes, reader.execute(
        "SELECT count(), uniqExact(flow_start_ms), sum(est_bytes) FROM flows FORMAT TabSeparated").strip());
    for (String rollup : List.of("flows_1m", "flows_1h")) {
      assertEquals(rows + "\t" + bytes, reader.execute(
          "SELECT sum(records), sum(est_bytes) FROM " + rollup + " FORMAT TabSeparated").strip(), rollup);
    }
    long total = 0;
    for (List<Node> shard : cluster.shards()) {
      String written = db(shard.get(0)).scalar("SELECT count() FROM flows_local");
      assertTrue(Long.parseLong(written) > 0, "shard " + shard.get(0).shard() + " got rows");
      total += Long.parseLong(written);
      for (String table : List.of("flows_local", "flows_1m_local")) {
        sync(shard.get(1), table);
        assertEquals(db(shard.get(0)).scalar("SELECT count() FROM " + table), db(shard.get(1)).scalar("SELECT count() FROM " + table),
            table + " is replicated to the shard's other replica");
      }
    }
    assertEquals(rows, total, "each row on one shard only");

    // The flows dashboard's "top ports" filter: a subquery over a Distributed table inside a query over one needs
    // GLOBAL IN (one top list for the whole cluster); a plain IN is refused by the server's default
    // distributed_product_mode.
    String topPorts = "(SELECT flow_start_ms % 7 AS p FROM flows GROUP BY p ORDER BY count() DESC LIMIT 3)";
    // 40,000 ids: residues 0 and 1 occur 5,715 times, the others 5,714: the top 3 hold 5,715 + 5,715 + 5,714.
    assertEquals("17144", reader.scalar(
        "SELECT count() FROM flows WHERE flow_start_ms % 7 GLOBAL IN " + topPorts));
    ClickHouseException refused = org.junit.jupiter.api.Assertions.assertThrows(ClickHouseException.class,
        () -> reader.scalar("SELECT count() FROM flows WHERE flow_start_ms % 7 IN " + topPorts));
    assertTrue(refused.getMessage().contains("Double-distributed"), refused.getMessage());
  }

  /**
   * Replica 1 of shard 1 stages a batch and commits its first chunk; the committer, moved to replica 2 at once
   * (before replication caught up), must commit the rest and skip what landed. Then replica 1 stops: reads go on
   * through the other replica, and it catches up when it returns.
   */
  @Test
  @Order(4)
  void aCommitFinishedOnTheShardsOtherReplicaLandsOnceAndSurvivesTheFirstStopping() throws Exception {
    Node first = node(0, 0);
    Node second = node(0, 1);
    SinkSettings onFirst = SinkSettings.sharded(List.of(first.url()), CLUSTER, DATABASE, "failover").withChunkRows(1000);
    SinkSettings onSecond = SinkSettings.sharded(List.of(second.url()), CLUSTER, DATABASE, "failover").withChunkRows(1000);
    SinkCheckJob.createTable(onFirst);
    List<String> columns = new SinkCheckJob.IdEncoder().columns();
    StagingStore before = new StagingStore(onFirst, columns);
    before.ensureTables();
    // Replication on loopback takes milliseconds; hold the second replica's fetches so that it is really behind.
    List<String> replicated = List.of("_sluice_stage_failover", "_sluice_commits", "failover_local");
    replicated.forEach(t -> db(second).execute("SYSTEM STOP FETCHES " + DATABASE + "." + t));
    long epoch = 42L << 20;
    RowBinary rb = new RowBinary(1 << 16);
    for (int id = 0; id < 2500; id++) {
      new SinkCheckJob.IdEncoder().encode((long) id, rb);
      rb.uint64(epoch | (id / 1000));
    }
    before.stage(rb.array(), rb.size(), epoch, 0, 2500);
    StagedBatch batch = new StagedBatch("failover", epoch, 2500, 1000, 0);
    db(first).execute("INSERT INTO failover_local (id, value, ingest_batch) SELECT id, value, ingest_batch"
        + " FROM _sluice_stage_failover WHERE ingest_batch = " + batch.batchId(0));

    assertEquals("0", db(second).scalar("SELECT count() FROM _sluice_stage_failover"), "the second replica is behind");
    CompletableFuture<Void> catchUp = CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      replicated.forEach(t -> db(second).execute("SYSTEM START FETCHES " + DATABASE + "." + t));
    });
    new StagingStore(onSecond, columns).commit(batch); // waits for the replica to catch up, then commits
    catchUp.get(10, TimeUnit.SECONDS);
    assertEquals("2500\t2500", db(second).execute("SELECT count(), uniqExact(id) FROM failover_local FORMAT TabSeparated").strip());
    sync(second, "_sluice_stage_failover"); // a replicated DROP PARTITION runs through the replication queue
    assertEquals("0", db(second).scalar("SELECT count() FROM _sluice_stage_failover"), "staging dropped on the shard");

    first.service().stop();
    try {
      assertEquals("2500", db(node(1, 0)).scalar("SELECT count() FROM failover"), "through the Distributed table, one replica down");
    } finally {
      TestStack.start(first.service(), 60_000);
    }
    sync(first, "failover_local");
    assertEquals("2500\t2500", db(first).execute("SELECT count(), uniqExact(id) FROM failover_local FORMAT TabSeparated").strip(),
        "the returning replica catches up");
  }

  /** A flows row made from an id: a unique flow_start_ms, est_bytes = id, ten minutes of times, three exporters. */
  static final class FlowOfId implements RowEncoder<Long> {
    private static final long START = 1_767_225_600L; // 2026-01-01T00:00:00Z

    @Override
    public List<String> columns() {
      return List.of("time", "flow_start_ms", "exporter_name", "sampled_packets", "est_bytes");
    }

    @Override
    public void encode(Long id, RowBinary out) {
      out.dateTime(START + id % 600).uint64(id).string("exporter-" + id % 3).uint64(1).uint64(id);
    }
  }
}
