package io.sluice.store.sink;

import java.util.Map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.TestClickHouse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commit protocol against a real ClickHouse server (Debian's 18.16 here); {@link StagingStoreOnClickHouse26Test}
 * runs the same statements on ClickHouse 26.7.
 */
class StagingStoreTest {
  protected ClickHouseSql db;
  protected SinkSettings settings;
  protected StagingStore store;

  /** The server under test, with no default database. */
  protected ClickHouseSql server() {
    return new ClickHouseHttp(TestClickHouse.url(), null);
  }

  protected String url() {
    return TestClickHouse.url();
  }

  protected StagingStore store(SinkSettings settings, List<String> columns) {
    return new StagingStore(settings, columns, server().withDatabase(settings.database()));
  }

  @BeforeEach
  void table() throws Exception {
    String database = TestClickHouse.newDatabase("sink");
    server().execute("CREATE DATABASE " + database);
    db = server().withDatabase(database);
    db.execute("CREATE TABLE t (id UInt64, name String, ingest_batch UInt64) ENGINE = MergeTree() ORDER BY id");
    settings = SinkSettings.of(url(), database, "t").withChunkRows(1000);
    store = store(settings, List.of("id", "name"));
    store.ensureTables();
  }

  private StagedBatch stage(long firstId, int rows) throws Exception {
    long epoch = (firstId + 1) << StagedBatch.CHUNK_BITS;
    RowBinary rb = new RowBinary(1024);
    for (int i = 0; i < rows; i++) {
      rb.uint64(firstId + i).string("n" + i).uint64(epoch | (i / settings.chunkRows()));
    }
    store.stage(rb.array(), rb.size(), epoch, 0, rows);
    return new StagedBatch("t", epoch, rows, settings.chunkRows());
  }

  @Test
  void stagedRowsAreInvisibleUntilCommittedThenLandOnce() throws Exception {
    StagedBatch batch = stage(0, 2500);
    assertEquals("0", db.scalar("SELECT count() FROM t"));
    store.commit(batch);
    assertEquals("2500", db.scalar("SELECT count() FROM t"));
    assertEquals("2500", db.scalar("SELECT uniqExact(id) FROM t"));
    assertEquals("0", db.scalar("SELECT count() FROM _sluice_stage_t"), "staged rows are dropped after the commit");
    assertEquals("3", db.scalar("SELECT count() FROM _sluice_commits WHERE target_table = 't'"), "one marker per chunk");
  }

  @Test
  void rowsStagedWithFewerColumnsLandWithTheTypesDefaultsAndDefaultExpressionsAreAlwaysStaged() throws Exception {
    assertEquals(List.of("id", "ingest_batch"), store.stagedColumns(0b01L));
    long epoch = 5L << StagedBatch.CHUNK_BITS;
    RowBinary rb = new RowBinary(64);
    rb.uint64(1).uint64(epoch).uint64(2).uint64(epoch);
    store.stage(rb.array(), rb.size(), epoch, 0, 2, 0b01L);
    store.commit(new StagedBatch("t", epoch, 2, settings.chunkRows(), 0, null, 0b01L));
    assertEquals(List.of(List.of("1", ""), List.of("2", "")), db.query("SELECT id, name FROM t ORDER BY id").rows());

    db.execute("CREATE TABLE d (id UInt64, name String DEFAULT 'unnamed', ingest_batch UInt64) ENGINE = MergeTree()"
        + " ORDER BY id");
    StagingStore withExpression = store(SinkSettings.of(url(), settings.database(), "d"), List.of("id", "name"));
    withExpression.ensureTables();
    assertEquals(0b10L, withExpression.alwaysStaged());
    assertEquals(List.of("id", "name", "ingest_batch"), withExpression.stagedColumns(0b01L),
        "a record's empty name must not become the expression's 'unnamed'");
  }

  @Test
  void aColumnAddedByAMigrationReachesTheStagingTableAndStagedRowsKeepTheirDefault() throws Exception {
    StagedBatch before = stage(0, 10); // staged by the old job, committed after the upgrade
    db.execute("ALTER TABLE t ADD COLUMN extra UInt64 AFTER name");
    store = store(settings, List.of("id", "name", "extra"));
    store.ensureTables();
    store.commit(before);
    long epoch = 77L << StagedBatch.CHUNK_BITS;
    RowBinary rb = new RowBinary(64);
    rb.uint64(100).string("new").uint64(42).uint64(epoch);
    store.stage(rb.array(), rb.size(), epoch, 0, 1);
    store.commit(new StagedBatch("t", epoch, 1, settings.chunkRows()));
    assertEquals("11", db.scalar("SELECT count() FROM t"));
    assertEquals("42", db.scalar("SELECT sum(extra) FROM t"), "old rows 0, the new row its value");
  }

  /**
   * A batch the table refuses for a reason waiting does not fix (here its column `name` was dropped after the rows
   * were staged: error 16, every attempt) is copied to _sluice_dead_t and recorded in sink_dead_letters (sql/020),
   * chunk by chunk, and the commit returns; a repeated commit neither retries nor records it again.
   */
  @Test
  void aBatchTheTableRefusesForGoodIsDeadLetteredNotRetried() throws Exception {
    db.execute(java.nio.file.Files.readString(io.sluice.stack.TestStack.repoRoot().resolve("sql/020_sink_dead_letters.sql")));
    store.commit(stage(0, 1500));
    StagedBatch refused = stage(5000, 2500);
    db.execute("ALTER TABLE t DROP COLUMN name");
    long[] counted = new long[1];
    store.onDeadLetter(rows -> counted[0] += rows);
    store.commit(refused);
    assertEquals("1500", db.scalar("SELECT count() FROM t"), "the first batch only");
    assertEquals("2500", db.scalar("SELECT count() FROM _sluice_dead_t"));
    assertEquals("2500", db.scalar("SELECT uniqExact(id) FROM _sluice_dead_t WHERE id >= 5000 AND name != ''"));
    long epoch = refused.batchId(0);
    assertEquals(List.of(List.of("t", Long.toUnsignedString(epoch), "1000", "16", "_sluice_dead_t"),
            List.of("t", Long.toUnsignedString(epoch + 1), "1000", "16", "_sluice_dead_t"),
            List.of("t", Long.toUnsignedString(epoch + 2), "500", "16", "_sluice_dead_t")),
        db.query("SELECT target_table, ingest_batch, rows, error_code, rows_table FROM sink_dead_letters ORDER BY ingest_batch").rows());
    assertEquals(2500, counted[0]);
    assertEquals("0", db.scalar("SELECT count() FROM _sluice_stage_t"), "staged rows are dropped after the commit");
    store.commit(refused); // as after a restore
    assertEquals("2500", db.scalar("SELECT count() FROM _sluice_dead_t"));
    assertEquals("3", db.scalar("SELECT count() FROM sink_dead_letters"));
    assertEquals(2500, counted[0]);
  }

  /**
   * 300 rows of 300 different days through the sink writer with chunks of 1,000 rows: one INSERT block of 300
   * partitions, which ClickHouse 26.7 refuses (error 252, then the chunk is dead-lettered). The writer closes a chunk
   * at 50 days, so every commit stays within 100 partitions and every row lands.
   */
  @Test
  void aBatchSpanningManyDaysIsCommittedInChunksOfAtMost50Days() throws Exception {
    db.execute("CREATE TABLE p (time DateTime, id UInt64, ingest_batch UInt64) ENGINE = MergeTree()"
        + " PARTITION BY toYYYYMMDD(time) ORDER BY id");
    SinkSettings daily = SinkSettings.of(url(), settings.database(), "p").withChunkRows(1000);
    RowEncoder<long[]> encoder = new RowEncoder<>() {
      @Override
      public List<String> columns() {
        return List.of("time", "id");
      }

      @Override
      public void encode(long[] row, RowBinary out) {
        out.dateTime(row[0]).uint64(row[1]);
      }
    };
    StagingStore dailyStore = store(daily, encoder.columns());
    dailyStore.ensureTables();
    org.apache.flink.api.common.operators.ProcessingTimeService time = new org.apache.flink.api.common.operators.ProcessingTimeService() {
      @Override
      public long getCurrentProcessingTime() {
        return 0;
      }

      @Override
      public java.util.concurrent.ScheduledFuture<?> registerTimer(long at, ProcessingTimeCallback callback) {
        return null; // no timed flushes: the test stages at prepareCommit
      }
    };
    ClickHouseSinkWriter<long[]> writer = new ClickHouseSinkWriter<>(daily, 0, encoder, dailyStore, time,
        new org.apache.flink.metrics.SimpleCounter(), new org.apache.flink.metrics.SimpleCounter(), true);
    long day0 = 1_767_225_600L; // 2026-01-01 UTC
    for (int i = 0; i < 300; i++) {
      writer.write(new long[] {day0 + i * 86_400L + 3_600, i}, null);
    }
    StagedBatch batch = writer.prepareCommit().iterator().next();
    assertEquals(6, batch.chunks(), "300 days, 50 per chunk");
    dailyStore.commit(batch);
    assertEquals("300", db.scalar("SELECT count() FROM p"));
    assertEquals("300", db.scalar("SELECT uniqExact(toDate(time)) FROM p"));
    assertEquals("0", db.scalar("SELECT count() FROM _sluice_stage_p"));
  }

  @Test
  void tooManyPartitionsForOneBlockIsNotWaitedOut() {
    assertTrue(Retry.isTransient(new ClickHouseException(252, "Too many parts (300). Merges are processing significantly slower than inserts")));
    assertTrue(!Retry.isTransient(new ClickHouseException(252, "Too many partitions for single INSERT block (more than 100).")));
  }

  @Test
  void theCommitTurnsOptimizeOnInsertOffOnlyWhereTheServerHasIt() throws Exception {
    boolean current = !db.serverVersion().startsWith("18.");
    assertEquals(current ? "0" : null, store.commitSettings().get("optimize_on_insert"), db.serverVersion());
    store.commit(stage(0, 10)); // 18.16 would refuse an unknown setting
    assertEquals("10", db.scalar("SELECT count() FROM t"));
  }

  @Test
  void aRepeatedCommitAddsNothing() throws Exception {
    StagedBatch batch = stage(0, 2500);
    store.commit(batch);
    store.commit(batch); // as after a restore from the checkpoint that holds this committable
    assertEquals("2500", db.scalar("SELECT count() FROM t"));
  }

  @Test
  void aCommitInterruptedAfterSomeChunksFinishesTheRestOnly() throws Exception {
    StagedBatch batch = stage(0, 2500);
    // What an earlier attempt managed before the process died: chunk 0 landed, staging not dropped yet.
    db.execute("INSERT INTO t (id, name, ingest_batch) SELECT id, name, ingest_batch FROM _sluice_stage_t WHERE ingest_batch = "
        + batch.batchId(0));
    assertEquals("1000", db.scalar("SELECT count() FROM t"));
    store.commit(batch);
    assertEquals("2500", db.scalar("SELECT count() FROM t"));
    assertEquals("2500", db.scalar("SELECT uniqExact(id) FROM t"));
  }

  @Test
  void aChunkOfTheMaximumSizeLandsAsOneBlock() throws Exception {
    settings = settings.withChunkRows(1_000_000);
    store = store(settings, List.of("id", "name"));
    StagedBatch batch = stage(0, 1_000_000);
    store.commit(batch);
    assertEquals("1000000", db.scalar("SELECT count() FROM t"));
    assertEquals("1000000", db.scalar("SELECT sum(rows) FROM _sluice_commits WHERE target_table = 't'"));
    assertEquals("1", db.scalar("SELECT count() FROM _sluice_commits WHERE target_table = 't'"),
        "one block means one marker row (before any merge)");
  }

  @Test
  void lostStagedRowsAreAnErrorNotASilentPartialCommit() throws Exception {
    StagedBatch batch = stage(0, 500);
    StagedBatch claimsMore = new StagedBatch("t", batch.epoch(), 700, settings.chunkRows());
    IllegalStateException error = assertThrows(IllegalStateException.class, () -> store.commit(claimsMore));
    assertTrue(error.getMessage().contains("700 rows were staged, 500 are left"), error.getMessage());
    assertEquals("0", db.scalar("SELECT count() FROM t"));
  }

  @Test
  void aTableWithoutIngestBatchIsRefusedWithTheFix() {
    db.execute("CREATE TABLE plain (id UInt64) ENGINE = MergeTree() ORDER BY id");
    StagingStore plain = store(SinkSettings.of(url(), db.database(), "plain"), List.of("id"));
    ClickHouseException error = assertThrows(ClickHouseException.class, plain::ensureTables);
    assertTrue(error.getMessage().contains("lacks the columns [ingest_batch]"), error.getMessage());
  }

  @Test
  void orphanEpochsAreDroppedOnlyPastTheHorizon() throws Exception {
    stage(0, 10);
    store.dropOrphans(3600);
    assertEquals("10", db.scalar("SELECT count() FROM _sluice_stage_t"), "a recent epoch may still be committed");
    store.dropOrphans(-1);
    assertEquals("0", db.scalar("SELECT count() FROM _sluice_stage_t"));
  }

  /**
   * An insert whose answer is lost (the server stopped or the connection dropped after the rows landed) is not staged
   * again, and one that failed before landing is: ClickHouseSinkFlinkTest's outage once committed 50,614 rows of 50,000.
   */
  @Test
  void anInsertWhoseAnswerWasLostIsStagedOnce() throws Exception {
    for (boolean landed : new boolean[] {true, false}) {
      long epoch = (landed ? 91L : 92L) << StagedBatch.CHUNK_BITS;
      int[] failures = {0};
      ClickHouseSql inner = server().withDatabase(settings.database());
      ClickHouseSql flaky = new ClickHouseSql() {
        @Override
        public String database() {
          return inner.database();
        }

        @Override
        public ClickHouseSql withDatabase(String database) {
          return inner.withDatabase(database);
        }

        @Override
        public String execute(String sql) {
          return inner.execute(sql);
        }

        @Override
        public String execute(String sql, String queryId, Map<String, String> settings) {
          return inner.execute(sql, queryId, settings);
        }

        @Override
        public void insertRowBinary(String table, List<String> columns, byte[] rows, int length) {
          insertRowBinary(table, columns, rows, length, null);
        }

        @Override
        public void insertRowBinary(String table, List<String> columns, byte[] rows, int length, String queryId) {
          if (failures[0]++ == 0) {
            if (landed) {
              inner.insertRowBinary(table, columns, rows, length, queryId);
            }
            throw new ClickHouseException("cannot reach ClickHouse: connection reset (injected)", null);
          }
          inner.insertRowBinary(table, columns, rows, length, queryId);
        }
      };
      StagingStore flakyStore = new StagingStore(settings, List.of("id", "name"), flaky);
      RowBinary first = new RowBinary(1024);
      for (int i = 0; i < 5; i++) {
        first.uint64(1000 + i).string("a").uint64(epoch);
      }
      store.stage(first.array(), first.size(), epoch, 0, 5);
      RowBinary second = new RowBinary(1024);
      for (int i = 0; i < 7; i++) {
        second.uint64(2000 + i).string("b").uint64(epoch);
      }
      flakyStore.stage(second.array(), second.size(), epoch, 5, 7);
      assertEquals(landed ? 1 : 2, failures[0], "tries");
      assertEquals("12", db.scalar("SELECT count() FROM _sluice_stage_t WHERE ingest_batch = " + epoch),
          landed ? "a landed insert whose answer was lost is not staged again" : "a lost insert is staged again");
      store.commit(new StagedBatch("t", epoch, 12, settings.chunkRows()));
      assertEquals("12\t12", db.execute("SELECT count(), uniqExact(id) FROM t WHERE id >= 1000 AND id < 3000"
          + " AND ingest_batch = " + epoch + " FORMAT TabSeparated").strip());
    }
  }
}
