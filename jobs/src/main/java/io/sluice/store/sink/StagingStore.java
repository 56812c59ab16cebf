package io.sluice.store.sink;

import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ClickHouse side of the exactly-once sink, free of Flink.
 *
 * <p>Writers stage rows in {@code _sluice_stage_<table>}, tagged with ingest_batch = epoch | chunk. After the
 * checkpoint that covers them completes, each chunk moves to the table with one INSERT ... SELECT that the server
 * writes as a single block. A materialized view on the table records every inserted block's ingest_batch and
 * row count in {@code _sluice_commits}, in the same server-side insert as the rows. A commit therefore checks
 * the marker first and skips a chunk that already landed, so a retried or recovered commit never duplicates it.
 *
 * <p>On a cluster the table is the shard's local table, and staging and markers are Replicated tables of the
 * shard, synced before each commit reads them.
 */
public final class StagingStore {
  static final String COMMITS = "_sluice_commits";
  private static final int QUERY_ALREADY_RUNNING = 216;
  private static final int TABLE_ALREADY_EXISTS = 57;
  private static final int ILLEGAL_COLUMN = 44;

  static final String DEAD_LETTERS = "sink_dead_letters";
  private static final Logger LOG = LoggerFactory.getLogger(StagingStore.class);

  private final SinkSettings settings;
  private final List<String> columns;
  private final ClickHouseSql db;
  private Map<String, String> commitSettings;
  private LongConsumer deadLettered = rows -> {};
  private boolean deadLettersExist;
  private long alwaysStaged;
  private List<String> columnTypes;

  public StagingStore(SinkSettings settings, List<String> columns) {
    this(settings, columns, new ClickHouseHttp(settings.url(), settings.database()));
  }

  /** @param db where the statements go, with {@code settings.database()} as its default database */
  public StagingStore(SinkSettings settings, List<String> columns, ClickHouseSql db) {
    this.settings = settings;
    this.columns = List.copyOf(columns);
    this.db = db;
  }

  /** Told the row count of every chunk dead-lettered (for the committer's metrics). */
  public StagingStore onDeadLetter(LongConsumer rows) {
    this.deadLettered = rows;
    return this;
  }

  /** Creates the staging table, the commit log and the marker view when missing; checks the table's columns. */
  public void ensureTables() throws InterruptedException {
    Retry.transientForever("preparing " + settings.table(), settings.maxBackoffMillis(), () -> {
      Set<String> existing = new HashSet<>();
      Map<String, String> types = new HashMap<>();
      for (List<String> row : db.query("SELECT name, type FROM system.columns WHERE database = currentDatabase()"
          + " AND table = '" + settings.targetTable() + "'").rows()) {
        existing.add(row.get(0));
        types.put(row.get(0), row.get(1));
      }
      columnTypes = columns.stream().map(types::get).toList();
      List<String> missing = new ArrayList<>();
      for (String column : allColumns()) {
        if (!existing.contains(column)) {
          missing.add(column);
        }
      }
      if (!missing.isEmpty()) {
        throw new ClickHouseException(16, "table " + settings.database() + "." + settings.targetTable()
            + " lacks the columns " + missing + " (run `sluice db migrate"
            + (settings.clustered() ? " --cluster " + settings.cluster() : "") + "`)");
      }
      if (settings.clustered()) {
        ensureClusterTables();
        addColumnsMigrationsAdded();
        findDefaultExpressions();
        return null;
      }
      createIfMissing("CREATE TABLE IF NOT EXISTS " + settings.stagingTable() + " " + stagingColumns()
          + " ENGINE = MergeTree() PARTITION BY intDiv(ingest_batch, " + (1L << StagedBatch.CHUNK_BITS)
          + ") ORDER BY ingest_batch");
      addColumnsMigrationsAdded();
      findDefaultExpressions();
      createIfMissing("CREATE TABLE IF NOT EXISTS " + COMMITS + " (target_table String, ingest_batch UInt64, rows UInt64)"
          + " ENGINE = SummingMergeTree() ORDER BY (target_table, ingest_batch)");
      createIfMissing("CREATE MATERIALIZED VIEW IF NOT EXISTS " + COMMITS + "_" + settings.table() + " TO " + COMMITS
          + " AS SELECT '" + settings.table() + "' AS target_table, ingest_batch, count() AS rows FROM "
          + settings.table() + " GROUP BY ingest_batch");
      return null;
    });
  }

  /**
   * A staging table made before a migration added columns to the table gets them too (ADD COLUMN, so rows staged
   * before, still to be committed after a restart, take the column's default).
   */
  private void addColumnsMigrationsAdded() {
    Set<String> staged = new HashSet<>();
    for (List<String> row : db.query("SELECT name FROM system.columns WHERE database = currentDatabase() AND table = '"
        + settings.stagingTable() + "'").rows()) {
      staged.add(row.get(0));
    }
    for (List<String> row : db.query("SELECT name, type FROM system.columns WHERE database = currentDatabase()"
        + " AND table = '" + settings.targetTable() + "'").rows()) {
      if (!staged.contains(row.get(0))) {
        try {
          db.execute("ALTER TABLE " + stagingTableOnCluster() + " ADD COLUMN " + row.get(0) + " " + staged(row.get(1)));
        } catch (ClickHouseException e) {
          if (e.code() != ILLEGAL_COLUMN) { // another subtask added it a moment ago
            throw e;
          }
        }
      }
    }
  }

  /**
   * The staging table's columns: the table's, each {@code LowCardinality(T)} staged as {@code T}. On 26.7 parsing
   * LowCardinality costs about 1 µs of the staging insert's 2 to 3 µs per flow row, and the commit converts once
   * (BENCHMARKS.md, "Staging engines and rollups"); 18.16 has no LowCardinality columns, so nothing changes there.
   */
  private String stagingColumns() {
    List<String> defs = new ArrayList<>();
    for (List<String> row : db.query("SELECT name, type, default_kind, default_expression FROM system.columns"
        + " WHERE database = currentDatabase() AND table = '" + settings.targetTable() + "'").rows()) {
      defs.add(row.get(0) + " " + staged(row.get(1))
          + (row.get(2).equals("DEFAULT") ? " DEFAULT " + row.get(3) : ""));
    }
    return "(" + String.join(", ", defs) + ")";
  }

  /**
   * A column left out of a staging insert takes the staging table's default, and out of the commit the table's. Where
   * either is an expression rather than the type's default, the writer stages and commits the column always ({@link #alwaysStaged}), so a record's value is never
   * replaced by the expression's.
   */
  private void findDefaultExpressions() {
    Set<String> withExpression = new HashSet<>();
    for (List<String> row : db.query("SELECT name FROM system.columns WHERE database = currentDatabase() AND table IN ('"
        + settings.stagingTable() + "', '" + settings.targetTable() + "') AND default_kind != ''").rows()) {
      withExpression.add(row.get(0));
    }
    long mask = 0;
    for (int i = 0; i < columns.size() && i < 63; i++) {
      if (withExpression.contains(columns.get(i))) {
        mask |= 1L << i;
      }
    }
    alwaysStaged = mask;
  }

  /** The table's types of the encoder's columns, in their order (after {@link #ensureTables}). */
  public List<String> columnTypes() {
    return columnTypes;
  }

  /** The columns every staging insert must carry (after {@link #ensureTables}): those with a default expression. */
  public long alwaysStaged() {
    return alwaysStaged;
  }

  /** A column type as staged: LowCardinality(T) becomes T, at any depth (Array(LowCardinality(String))). */
  static String staged(String type) {
    String marker = "LowCardinality(";
    int at = type.indexOf(marker);
    if (at < 0) {
      return type;
    }
    int depth = 1;
    int i = at + marker.length();
    for (; depth > 0; i++) {
      depth += type.charAt(i) == '(' ? 1 : type.charAt(i) == ')' ? -1 : 0;
    }
    return type.substring(0, at) + staged(type.substring(at + marker.length(), i - 1)) + staged(type.substring(i));
  }

  private String stagingTableOnCluster() {
    return settings.clustered()
        ? settings.database() + "." + settings.stagingTable() + " ON CLUSTER " + settings.cluster()
        : settings.stagingTable();
  }

  /**
   * On a cluster: staging and commit log replicated within each shard (so another replica of the shard sees what
   * this one staged and committed), the marker view on the local table, created ON CLUSTER on every node once.
   */
  private void ensureClusterTables() {
    String d = settings.database();
    String onCluster = " ON CLUSTER " + settings.cluster();
    String marker = COMMITS + "_" + settings.table();
    Set<String> present = new HashSet<>();
    for (List<String> row : db.query("SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN ('"
        + settings.stagingTable() + "', '" + COMMITS + "', '" + marker + "')").rows()) {
      present.add(row.get(0));
    }
    if (!present.contains(settings.stagingTable())) {
      db.execute("CREATE TABLE IF NOT EXISTS " + d + "." + settings.stagingTable() + onCluster + " " + stagingColumns()
          + " ENGINE = ReplicatedMergeTree(" + replicatedIn(settings.stagingTable())
          + ") PARTITION BY intDiv(ingest_batch, " + (1L << StagedBatch.CHUNK_BITS) + ") ORDER BY ingest_batch");
    }
    if (!present.contains(COMMITS)) {
      db.execute("CREATE TABLE IF NOT EXISTS " + d + "." + COMMITS + onCluster
          + " (target_table String, ingest_batch UInt64, rows UInt64) ENGINE = ReplicatedSummingMergeTree("
          + replicatedIn(COMMITS) + ") ORDER BY (target_table, ingest_batch)");
    }
    if (!present.contains(marker)) {
      db.execute("CREATE MATERIALIZED VIEW IF NOT EXISTS " + d + "." + marker + onCluster + " TO " + d + "." + COMMITS
          + " AS SELECT '" + settings.table() + "' AS target_table, ingest_batch, count() AS rows FROM " + d + "."
          + settings.targetTable() + " GROUP BY ingest_batch");
    }
  }

  private void createIfMissing(String ddl) {
    try {
      db.execute(ddl);
    } catch (ClickHouseException e) {
      if (e.code() != TABLE_ALREADY_EXISTS) { // another subtask created it a moment ago
        throw e;
      }
    }
  }

  private String replicatedIn(String table) {
    return "'/clickhouse/tables/{shard}/" + settings.database() + "/" + table + "', '{replica}'";
  }

  /**
   * Appends {@code count} RowBinary rows (with ingest_batch last) of epoch {@code epoch} to the staging table, where
   * {@code stagedBefore} rows of that epoch already are. An insert that fails without an answer (the server stopped,
   * the connection dropped) may still have landed: before trying again, wait until it no longer runs and count the
   * epoch's rows; an insert of fewer rows than a block is all there or not at all. Without this, a retried insert
   * staged its rows twice and the commit moved both copies.
   */
  public void stage(byte[] rows, int length, long epoch, long stagedBefore, long count) throws InterruptedException {
    stage(rows, length, epoch, stagedBefore, count, RowEncoder.ALL_COLUMNS);
  }

  /** The same, for rows of only {@code columns} (the staging table fills the others with its defaults). */
  public void stage(byte[] rows, int length, long epoch, long stagedBefore, long count, long columns)
      throws InterruptedException {
    List<String> staged = stagedColumns(columns);
    String queryId = "sluice-stage-" + Long.toHexString(epoch) + "-" + stagedBefore;
    long backoff = 100;
    for (int attempt = 1; ; attempt++) {
      try {
        db.insertRowBinary(settings.stagingTable(), staged, rows, length, queryId);
        return;
      } catch (ClickHouseException e) {
        if (!Retry.isTransient(e)) {
          throw e;
        }
        if (attempt == 1 || attempt % 10 == 0) {
          LOG.warn("staging rows for {} failed (attempt {}), retrying in {} ms: {}", settings.table(), attempt, backoff,
              e.getMessage());
        }
      }
      Thread.sleep(backoff);
      backoff = Math.min(settings.maxBackoffMillis(), backoff * 2);
      while (running(queryId, null)) {
        Thread.sleep(backoff);
      }
      long there = count("SELECT count() FROM " + settings.stagingTable() + " WHERE ingest_batch >= " + epoch
          + " AND ingest_batch < " + (epoch + (1L << StagedBatch.CHUNK_BITS)));
      if (there == stagedBefore + count) {
        return; // it landed; only its answer was lost
      }
      if (there != stagedBefore) {
        throw new IllegalStateException("staging " + settings.stagingTable() + " epoch " + Long.toHexString(epoch)
            + ": " + there + " rows, expected " + stagedBefore + " or " + (stagedBefore + count)
            + "; the job restarts from its checkpoint and stages these rows under a new epoch");
      }
    }
  }

  /** Moves every chunk of the batch to the table, skipping chunks already there; then drops the staged rows. */
  public void commit(StagedBatch batch) throws InterruptedException {
    List<String> replicas = null;
    if (settings.clustered()) {
      // Another replica of the shard may have staged these rows or committed some chunks (before a failover):
      // fetch what it wrote to ZooKeeper before reading staging and markers here.
      for (String table : List.of(COMMITS, settings.stagingTable())) {
        Retry.transientForever("syncing " + table + " with its replicas", settings.maxBackoffMillis(), () ->
            db.execute("SYSTEM SYNC REPLICA " + settings.database() + "." + table));
      }
      replicas = Retry.transientForever("listing the shard's replicas", settings.maxBackoffMillis(),
          () -> ShardReplicas.addresses(db, settings.database() + "." + COMMITS));
    }
    for (int chunk = 0; chunk < batch.chunks(); chunk++) {
      commitChunk(batch.batchId(chunk), batch.chunkRows(chunk), batch.columns(), replicas);
    }
    Retry.transientForever("dropping staged rows", settings.maxBackoffMillis(), () ->
        db.execute("ALTER TABLE " + settings.stagingTable() + " DROP PARTITION " + batch.stagingPartition()));
  }

  private void commitChunk(long batchId, long expectedRows, long columns, List<String> replicas)
      throws InterruptedException {
    String queryId = "sluice-commit-" + settings.database() + "-" + settings.table() + "-" + Long.toHexString(batchId);
    while (true) {
      // An earlier attempt (from before a crash) may still run: on this server, or on a cluster on any replica of
      // the shard. Wait for it, then read its marker.
      if (running(queryId, replicas)) {
        Thread.sleep(200);
        continue;
      }
      long landed = count("SELECT sum(rows) FROM " + COMMITS + " WHERE target_table = '" + settings.table()
          + "' AND ingest_batch = " + Long.toUnsignedString(batchId));
      if (landed == expectedRows) {
        return;
      }
      if (landed == 0 && deadLetteredBefore(batchId)) {
        return; // dead-lettered before a restore: the rows are kept, not committed
      }
      if (landed != 0) {
        throw new IllegalStateException("ingest_batch " + Long.toHexString(batchId) + " of " + settings.table() + " has "
            + landed + " rows in the table but " + expectedRows + " were staged: the server split the block");
      }
      long staged = count("SELECT count() FROM " + settings.stagingTable() + " WHERE ingest_batch = "
          + Long.toUnsignedString(batchId));
      if (staged != expectedRows) {
        throw new IllegalStateException("ingest_batch " + Long.toHexString(batchId) + " of " + settings.table() + ": "
            + expectedRows + " rows were staged, " + staged + " are left in " + settings.stagingTable());
      }
      // Only the columns staged: the table fills the others with its defaults, as staging did (fewer to read).
      String cols = String.join(", ", stagedColumns(columns));
      Map<String, String> oneBlock = Retry.transientForever("reading the server's settings",
          settings.maxBackoffMillis(), this::commitSettings);
      try {
        Retry.transientForever("committing " + settings.table(), settings.maxBackoffMillis(), () ->
            db.execute("INSERT INTO " + settings.targetTable() + " (" + cols + ") SELECT " + cols + " FROM "
                + settings.stagingTable() + " WHERE ingest_batch = " + Long.toUnsignedString(batchId), queryId,
                oneBlock));
      } catch (ClickHouseException e) {
        if (e.code() != QUERY_ALREADY_RUNNING) {
          deadLetter(batchId, expectedRows, e);
          return;
        }
      }
    }
  }

  /**
   * A chunk the table refuses for good: its rows go to _sluice_dead_&lt;table&gt; and a row to sink_dead_letters
   * (sql/020), written last, so a restore that finds it skips the chunk. A crash between the two writes copies the
   * rows again on the next attempt. When even that fails, the commit fails with the original error.
   */
  private void deadLetter(long batchId, long rows, ClickHouseException cause) throws InterruptedException {
    String copy = "_sluice_dead_" + settings.table();
    String cols = String.join(", ", allColumns());
    String id = Long.toUnsignedString(batchId);
    try {
      Retry.transientForever("dead-lettering a chunk of " + settings.table(), settings.maxBackoffMillis(), () -> {
        // The staging table's columns: what was staged, even when the table has lost or changed a column since.
        db.execute("CREATE TABLE IF NOT EXISTS " + copy + " AS " + settings.stagingTable()
            + " ENGINE = MergeTree() ORDER BY ingest_batch");
        db.execute("INSERT INTO " + copy + " (" + cols + ") SELECT " + cols + " FROM " + settings.stagingTable()
            + " WHERE ingest_batch = " + id);
        db.execute("INSERT INTO " + DEAD_LETTERS + " (dead_lettered_at, target_table, ingest_batch, rows, error_code, error,"
            + " rows_table) VALUES (now(), " + quote(settings.table()) + ", " + id + ", " + rows + ", " + cause.code() + ", "
            + quote(String.valueOf(cause.getMessage())) + ", " + quote(copy) + ")");
        return null;
      });
    } catch (ClickHouseException e) {
      cause.addSuppressed(e);
      throw cause;
    }
    LOG.error("{} rows of {} (ingest_batch {}) dead-lettered to {} after a non-transient error {}: {}", rows,
        settings.table(), id, copy, cause.code(), cause.getMessage());
    deadLettered.accept(rows);
  }

  private boolean deadLetteredBefore(long batchId) throws InterruptedException {
    if (!deadLettersExist) { // a database migrated before sql/020 has none, and then nothing was dead-lettered
      deadLettersExist = count("SELECT count() FROM system.tables WHERE database = currentDatabase() AND name = '"
          + DEAD_LETTERS + "'") > 0;
      if (!deadLettersExist) {
        return false;
      }
    }
    return count("SELECT count() FROM " + DEAD_LETTERS + " WHERE target_table = '" + settings.table()
        + "' AND ingest_batch = " + Long.toUnsignedString(batchId)) > 0;
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\'' -> b.append("\\'");
        case '\n' -> b.append("\\n");
        default -> b.append(c < 0x20 ? ' ' : c);
      }
    }
    return b.append('\'').toString();
  }

  private boolean running(String queryId, List<String> replicas) throws InterruptedException {
    String where = " WHERE query_id = '" + queryId + "'";
    if (replicas == null) {
      return count("SELECT count() FROM system.processes" + where) > 0;
    }
    for (String replica : replicas) {
      long found = Retry.transientForever("looking for a running commit on " + replica, settings.maxBackoffMillis(),
          () -> ShardReplicas.processes(db, replica, where));
      if (found > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * One reading thread and squashing thresholds above any chunk: the server forms one block, written as one
   * part per partition, and the marker view sees it once.
   */
  private static final Map<String, String> ONE_BLOCK = Map.of(
      "max_threads", "1",
      "min_insert_block_size_rows", "1048576",
      "min_insert_block_size_bytes", Long.toString(1L << 31));

  /**
   * The same, without the Replicated engines' block-hash deduplication: the marker decides what is committed, and
   * a block dropped as a duplicate would skip the views (markers and rollups) too.
   */
  private static final Map<String, String> ONE_BLOCK_REPLICATED = Map.of(
      "max_threads", "1",
      "min_insert_block_size_rows", "1048576",
      "min_insert_block_size_bytes", Long.toString(1L << 31),
      "insert_deduplicate", "0");

  /**
   * The commit's settings: one block, and where the server has the setting (current releases; 18.16 does not),
   * {@code optimize_on_insert = 0}: the rollups' SummingMergeTree then stores each block as the view grouped it,
   * and merges do the summing they do anyway; on 26.7 that halved the cost per committed row (BENCHMARKS.md).
   */
  Map<String, String> commitSettings() {
    if (commitSettings == null) {
      Map<String, String> chosen = new HashMap<>(settings.clustered() ? ONE_BLOCK_REPLICATED : ONE_BLOCK);
      if (!"0".equals(db.scalar("SELECT count() FROM system.settings WHERE name = 'optimize_on_insert'"))) {
        chosen.put("optimize_on_insert", "0");
      }
      commitSettings = Map.copyOf(chosen);
    }
    return commitSettings;
  }

  /** Drops staged epochs older than the horizon: rows of checkpoints that never completed. */
  public void dropOrphans(long olderThanSeconds) throws InterruptedException {
    List<List<String>> partitions = Retry.transientForever("listing staged partitions", settings.maxBackoffMillis(), () ->
        db.query("SELECT partition FROM system.parts WHERE database = currentDatabase() AND table = '"
            + settings.stagingTable() + "' AND active GROUP BY partition HAVING max(modification_time) < now() - "
            + olderThanSeconds).rows());
    for (List<String> partition : partitions) {
      Retry.transientForever("dropping an orphan staging partition", settings.maxBackoffMillis(), () ->
          db.execute("ALTER TABLE " + settings.stagingTable() + " DROP PARTITION " + partition.get(0)));
    }
  }

  /** The staging insert's columns for a set of the encoder's columns: those, then ingest_batch. */
  List<String> stagedColumns(long set) {
    List<String> chosen = new ArrayList<>(RowEncoder.columnsIn(columns, set | alwaysStaged));
    chosen.add("ingest_batch");
    return chosen;
  }

  List<String> allColumns() {
    List<String> all = new ArrayList<>(columns);
    all.add("ingest_batch");
    return all;
  }

  private long count(String sql) throws InterruptedException {
    String value = Retry.transientForever("reading commit state", settings.maxBackoffMillis(), () -> db.scalar(sql));
    return value.isEmpty() ? 0 : Long.parseLong(value);
  }
}
