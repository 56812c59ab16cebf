package io.sluice.store.sink;

import com.sun.management.OperatingSystemMXBean;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;
import io.sluice.store.chdb.bench.ChdbSinkBench;
import io.sluice.store.rows.FlowRowEncoder;
import io.sluice.store.schema.Migrator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The exactly-once sink's cost per flow row by staging engine and by rollup design, on ClickHouse 18.16 (a server
 * of its own, CPU from its /proc stat) or on ClickHouse 26.7 (chDB in this process, the process's CPU). Each design
 * stages the same rows (ChdbSinkBench's generator: 50,000 per insert) under one epoch and commits them with the
 * sink's own statement, chunk by chunk ({@code INSERT INTO t (cols) SELECT cols FROM staging WHERE ingest_batch = id}
 * with {@link StagingStore#commitSettings()}), into {@code flows} with its rollup views and commit marker. Merges are
 * stopped, so each step is its own cost. Designs alternate within each round. BENCHMARKS.md, "Staging engines and
 * rollups, per flow row", has the command.
 *
 * <p>args: server|chdb, rows per round (default 1,000,000), rounds (default 3), then optionally {@code levers}: the
 * sink staging every column against the sink staging the columns the rows fill (as it does now), and rollup views
 * without GROUP BY ("Fewer columns" in BENCHMARKS.md); and after it interfaces,AS numbers for the generator (default
 * 64,1000: rollup keys that hardly repeat; 4,10: keys that repeat as a router's do).
 */
public final class SinkStagingBench {
  private static final long EPOCH = ChdbSinkBench.EPOCH;
  private static final int CHUNK_ROWS = ChdbSinkBench.CHUNK_ROWS;

  private final ClickHouseSql db;
  private final LongSupplier cpuNanos;
  private final int rows;
  private final FlowRowEncoder encoder = new FlowRowEncoder();
  private final StagingStore store;
  private final List<String> columns;
  static String baseUrl;
  static boolean levers;
  private static final String STAGING = SinkSettings.of("bench", "bench", "flows").stagingTable();

  private SinkStagingBench(ClickHouseSql db, LongSupplier cpuNanos, int rows) {
    this.db = db;
    this.cpuNanos = cpuNanos;
    this.rows = rows;
    this.store = new StagingStore(SinkSettings.of("bench", db.database(), "flows").withChunkRows(CHUNK_ROWS),
        encoder.columns(), db);
    this.columns = store.allColumns();
  }

  public static void main(String[] args) throws Exception {
    String where = args.length > 0 ? args[0] : "server";
    levers = args.length > 3 && args[3].equals("levers");
    if (args.length > 4) { // interfaces,AS numbers: fewer rollup keys, as real traffic has (default 64,1000)
      ChdbSinkBench.interfaces = Integer.parseInt(args[4].split(",")[0]);
      ChdbSinkBench.asNumbers = Integer.parseInt(args[4].split(",")[1]);
    }
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    if (where.equals("chdb")) {
      ClickHouseSql server = Chdb.clickHouse();
      new Migrator(server, "bench", TestStack.repoRoot().resolve("sql"), s -> {}).migrate();
      OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      new SinkStagingBench(server.withDatabase("bench"), os::getProcessCpuTime, rows).run(rounds);
      return;
    }
    var settings = TestStack.settings();
    ClickHouseService clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    try {
      long pid = clickhouse.processes().get(0).pid().orElseThrow();
      ClickHouseSql server = new ClickHouseHttp(settings.clickhouseUrl(), null);
      baseUrl = settings.clickhouseUrl();
      new Migrator(server, "bench", TestStack.repoRoot().resolve("sql"), s -> {}).migrate();
      new SinkStagingBench(server.withDatabase("bench"), () -> procCpuNanos(pid), rows).run(rounds);
    } finally {
      clickhouse.stop();
    }
  }

  /** utime + stime of the process, in ns (clock ticks of 10 ms). */
  static long procCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void run(int rounds) throws Exception {
    store.ensureTables();
    String cols = String.join(", ", columns);
    // Rollup designs beside today's (flows_1m and flows_1h both fed from flows, grouped by every dimension):
    // none; the hour fed from the minute rollup's blocks; and grouped by the numeric keys with the names as any().
    for (String t : List.of("flows_novw", "flows_casc", "flows_ids")) {
      db.execute("CREATE TABLE IF NOT EXISTS " + t + " AS flows");
      marker(t);
    }
    for (String r : List.of("1m", "1h")) {
      db.execute("CREATE TABLE IF NOT EXISTS flows_casc_" + r + " AS flows_" + r);
      db.execute("CREATE TABLE IF NOT EXISTS flows_ids_" + r + " AS flows_" + r);
    }
    String dims = "exporter_addr, exporter_name, site, flow_type, in_if, out_if, in_if_name, out_if_name, direction,"
        + " protocol, src_as, dst_as, sampling_rate_source";
    String sums = "sum(sampled_bytes) AS sampled_bytes, sum(sampled_packets) AS sampled_packets,"
        + " sum(est_bytes) AS est_bytes, sum(est_packets) AS est_packets";
    db.execute("CREATE MATERIALIZED VIEW IF NOT EXISTS flows_casc_1m_mv TO flows_casc_1m AS SELECT toStartOfMinute(time)"
        + " AS time, " + dims + ", count() AS records, " + sums + " FROM flows_casc GROUP BY time, " + dims);
    db.execute("CREATE MATERIALIZED VIEW IF NOT EXISTS flows_casc_1h_mv TO flows_casc_1h AS SELECT toStartOfHour(time)"
        + " AS time, " + dims + ", sum(records) AS records, " + sums + " FROM flows_casc_1m GROUP BY time, " + dims);
    String ids = "exporter_addr, in_if, out_if, direction, protocol, src_as, dst_as, flow_type, sampling_rate_source";
    String names = "any(exporter_name) AS exporter_name, any(site) AS site, any(in_if_name) AS in_if_name,"
        + " any(out_if_name) AS out_if_name";
    for (String[] r : List.of(new String[] {"1m", "toStartOfMinute"}, new String[] {"1h", "toStartOfHour"})) {
      db.execute("CREATE MATERIALIZED VIEW IF NOT EXISTS flows_ids_" + r[0] + "_mv TO flows_ids_" + r[0] + " AS SELECT "
          + r[1] + "(time) AS time, " + ids + ", " + names + ", count() AS records, " + sums
          + " FROM flows_ids GROUP BY time, " + ids);
    }
    db.execute("SYSTEM STOP MERGES");
    if (levers) {
      levers(rounds);
      return;
    }
    List<byte[]> inserts = ChdbSinkBench.generate(encoder, rows);
    List<byte[]> fewer = fewerColumns(inserts);
    System.out.printf("%,d rows of %d bytes each, ClickHouse %s%n", rows,
        inserts.stream().mapToLong(b -> b.length).sum() / rows, db.serverVersion());
    for (int round = 1; round <= rounds; round++) {
      System.out.println("round " + round);
      clear();
      measure("parse only (Null table)", () -> {
        db.execute("CREATE TABLE IF NOT EXISTS flows_null AS flows ENGINE = Null");
        for (byte[] b : inserts) {
          db.insertRowBinary("flows_null", columns, b, b.length);
        }
      });
      clear();
      measure("stage: the sink's (MergeTree, LowCardinality staged as String)", () -> stageToday(inserts));
      measure("commit from it into flows (the sink's: views, marker)", () ->
          store.commit(new StagedBatch("flows", EPOCH, rows, CHUNK_ROWS)));
      check("flows");
      clear();
      measure("stage: MergeTree with the table's types (before)", () -> {
        db.execute("DROP TABLE IF EXISTS _stage_typed");
        db.execute("CREATE TABLE _stage_typed AS flows ENGINE = MergeTree() PARTITION BY intDiv(ingest_batch, "
            + (1L << StagedBatch.CHUNK_BITS) + ") ORDER BY ingest_batch");
        for (byte[] b : inserts) {
          db.insertRowBinary("_stage_typed", columns, b, b.length);
        }
      });
      measure("commit from it into flows (views, marker), drop", () -> commit("_stage_typed", "flows", cols));
      check("flows");
      for (String engine : List.of("Log", "StripeLog", "TinyLog", "Memory")) {
        clear();
        measure("stage: " + engine + " table per epoch", () -> stageInto("_stage_" + engine, engine, inserts));
        measure("commit from " + engine + " into flows (views, marker), drop", () -> commit("_stage_" + engine, "flows", cols));
        check("flows");
      }
      if (fewer != null) {
        clear();
        db.execute("DROP TABLE IF EXISTS _stage_fewer");
        db.execute("CREATE TABLE _stage_fewer AS flows ENGINE = Log");
        measure("stage: Log per epoch, only the " + FILLED.size() + " columns these rows fill", () -> {
          for (byte[] b : fewer) {
            db.insertRowBinary("_stage_fewer", FILLED, b, b.length);
          }
        });
        measure("commit those columns from it into flows (views, marker), drop", () ->
            commit("_stage_fewer", "flows", String.join(", ", FILLED)));
        check("flows");
      }
      for (String target : List.of("flows_novw", "flows_casc", "flows_ids")) {
        clear();
        stageInto("_stage_Log", "Log", inserts);
        measure("commit from Log into " + target + " (marker)", () -> commit("_stage_Log", target, cols));
        check(target);
      }
    }
  }

  private void levers(int rounds) throws Exception {
    db.execute("CREATE TABLE IF NOT EXISTS flows_proj AS flows");
    marker("flows_proj");
    String dims = "exporter_addr, exporter_name, site, flow_type, in_if, out_if, in_if_name, out_if_name, direction,"
        + " protocol, src_as, dst_as, sampling_rate_source";
    for (String[] r : List.of(new String[] {"1m", "toStartOfMinute"}, new String[] {"1h", "toStartOfHour"})) {
      db.execute("CREATE TABLE IF NOT EXISTS flows_proj_" + r[0] + " AS flows_" + r[0]);
      db.execute("CREATE MATERIALIZED VIEW IF NOT EXISTS flows_proj_" + r[0] + "_mv TO flows_proj_" + r[0] + " AS SELECT "
          + r[1] + "(time) AS time, " + dims + ", toUInt64(1) AS records, sampled_bytes, sampled_packets, est_bytes,"
          + " est_packets FROM flows_proj");
    }
    List<byte[]> inserts = ChdbSinkBench.generate(encoder, rows);
    long[] union = {0};
    ChdbSinkBench.generate(new RowEncoder<io.sluice.decode.flow.FlowRecord>() {
      @Override
      public List<String> columns() {
        return encoder.columns();
      }

      @Override
      public void encode(io.sluice.decode.flow.FlowRecord r, RowBinary out) {
        union[0] |= encoder.filledColumns(r);
      }
    }, rows);
    long filled = union[0] | store.alwaysStaged() | 1L;
    List<byte[]> narrow = ChdbSinkBench.generate(new RowEncoder<io.sluice.decode.flow.FlowRecord>() {
      @Override
      public List<String> columns() {
        return encoder.columns();
      }

      @Override
      public void encode(io.sluice.decode.flow.FlowRecord r, RowBinary out) {
        encoder.encode(r, out, filled);
      }
    }, rows);
    System.out.printf("%,d rows of %d bytes each (%d as the %d columns they fill), ClickHouse %s%n", rows,
        inserts.stream().mapToLong(b -> b.length).sum() / rows, narrow.stream().mapToLong(b -> b.length).sum() / rows,
        RowEncoder.columnsIn(encoder.columns(), filled).size(), db.serverVersion());
    for (int round = 1; round <= rounds; round++) {
      System.out.println("round " + round);
      clear();
      measure("stage: every column (the sink before)", () -> stageToday(inserts));
      measure("commit: every column (the sink before)", () ->
          store.commit(new StagedBatch("flows", EPOCH, rows, CHUNK_ROWS)));
      check("flows");
      clear();
      measure("stage: the columns the rows fill (the sink now)", () -> stageNarrow(narrow, filled));
      measure("commit: the columns the rows fill (the sink now)", () ->
          store.commit(new StagedBatch("flows", EPOCH, rows, CHUNK_ROWS, 0, null, filled)));
      check("flows");
      rollupRows("flows");
      String cols = String.join(", ", store.stagedColumns(filled));
      clear();
      stageNarrow(narrow, filled);
      measure("commit: the same into flows_proj (rollup views without GROUP BY)", () ->
          commitKeep(STAGING, "flows_proj", cols));
      check("flows_proj");
      rollupRows("flows_proj");
      clear();
      stageNarrow(narrow, filled);
      measure("commit: the same into flows_novw (no rollups)", () -> commitKeep(STAGING, "flows_novw", cols));
    }
  }

  private void rollupRows(String table) {
    System.out.printf("  (%s_1m holds %s rows, %s_1h %s, before merges)%n", table,
        db.scalar("SELECT count() FROM " + table + "_1m"), table, db.scalar("SELECT count() FROM " + table + "_1h"));
  }

  private void stageNarrow(List<byte[]> narrow, long filled) throws InterruptedException {
    long staged = 0;
    for (byte[] b : narrow) {
      long count = Math.min(ChdbSinkBench.INSERT_ROWS, rows - staged);
      store.stage(b, b.length, EPOCH, staged, count, filled);
      staged += count;
    }
  }

  /** The commit's statements from the sink's own staging table, which stays (emptied). */
  private void commitKeep(String staging, String target, String cols) {
    commit(staging, target, cols, "TRUNCATE TABLE ");
  }

  /** The columns ChdbSinkBench's rows fill; the others hold their defaults (0, empty, ::). */
  private static final List<String> FILLED = List.of("time", "flow_start_ms", "flow_end_ms", "received_ns", "flow_type",
      "exporter_addr", "exporter_name", "site", "in_if", "out_if", "direction", "src_addr", "dst_addr", "src_port",
      "dst_port", "protocol", "tcp_flags", "src_as", "dst_as", "src_mask", "dst_mask", "next_hop", "sampled_bytes",
      "sampled_packets", "sampling_rate", "sampling_rate_source", "est_bytes", "est_packets", "ingest_batch");

  /**
   * The same rows as RowBinary of {@link #FILLED} only, written by the server itself (over HTTP; null in-process,
   * where the bench skips this step): what a sink that sent only the columns a record has would send.
   */
  private List<byte[]> fewerColumns(List<byte[]> inserts) throws Exception {
    if (baseUrl == null) {
      return null;
    }
    db.execute("CREATE TABLE IF NOT EXISTS _all_rows AS flows ENGINE = Log");
    db.execute("TRUNCATE TABLE _all_rows");
    List<byte[]> out = new ArrayList<>();
    for (byte[] b : inserts) {
      db.insertRowBinary("_all_rows", columns, b, b.length);
      var client = java.net.http.HttpClient.newHttpClient();
      var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/?database=" + db.database()))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("SELECT " + String.join(", ", FILLED)
              + " FROM _all_rows FORMAT RowBinary")).build();
      out.add(client.send(request, java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body());
      db.execute("TRUNCATE TABLE _all_rows");
    }
    System.out.printf("the same rows as %d of %d columns: %d bytes each%n", FILLED.size(), columns.size(),
        out.stream().mapToLong(b -> b.length).sum() / rows);
    return out;
  }

  private void marker(String table) {
    db.execute("CREATE MATERIALIZED VIEW IF NOT EXISTS _m_" + table + " TO " + StagingStore.COMMITS + " AS SELECT '"
        + table + "' AS target_table, ingest_batch, count() AS rows FROM " + table + " GROUP BY ingest_batch");
  }

  private void clear() {
    for (String t : List.of("flows", "flows_1m", "flows_1h", StagingStore.COMMITS, "flows_novw", "flows_casc",
        "flows_casc_1m", "flows_casc_1h", "flows_ids", "flows_ids_1m", "flows_ids_1h", "flows_proj", "flows_proj_1m",
        "flows_proj_1h")) {
      db.execute("TRUNCATE TABLE IF EXISTS " + t);
    }
  }

  private void stageToday(List<byte[]> inserts) throws InterruptedException {
    long staged = 0;
    for (byte[] b : inserts) {
      long count = Math.min(ChdbSinkBench.INSERT_ROWS, rows - staged);
      store.stage(b, b.length, EPOCH, staged, count);
      staged += count;
    }
  }

  private void stageInto(String table, String engine, List<byte[]> inserts) {
    db.execute("DROP TABLE IF EXISTS " + table);
    db.execute("CREATE TABLE " + table + " AS flows ENGINE = " + engine);
    for (byte[] b : inserts) {
      db.insertRowBinary(table, columns, b, b.length);
    }
  }

  private void commit(String staging, String target, String cols) {
    commit(staging, target, cols, "DROP TABLE ");
  }

  private void commit(String staging, String target, String cols, String thenStaging) {
    Map<String, String> settings = store.commitSettings();
    for (long chunk = 0; chunk * CHUNK_ROWS < rows; chunk++) {
      db.execute("INSERT INTO " + target + " (" + cols + ") SELECT " + cols + " FROM " + staging
          + " WHERE ingest_batch = " + (EPOCH | chunk), "bench-" + target + "-" + chunk, settings);
    }
    db.execute(thenStaging + staging);
  }

  /**
   * Every row landed once, every chunk as one block (one marker row per chunk), and each rollup counts every row once;
   * a design that fails says so.
   */
  private void check(String table) {
    String landed = db.scalar("SELECT count() FROM " + table);
    String markers = db.scalar("SELECT count() FROM " + StagingStore.COMMITS + " WHERE target_table = '" + table + "'");
    long chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    if (Long.parseLong(landed) != rows || Long.parseLong(markers) != chunks) {
      System.out.printf("  WRONG: %s holds %s rows under %s markers; expected %d and %d%n", table, landed, markers, rows,
          chunks);
    }
    if (!table.equals("flows_novw")) {
      for (String rollup : List.of(table + "_1m", table + "_1h")) {
        String records = db.scalar("SELECT sum(records) FROM " + rollup);
        if (!records.equals(Long.toString(rows))) {
          System.out.printf("  WRONG: %s counts %s records; expected %d%n", rollup, records, rows);
        }
      }
    }
  }

  private void measure(String what, ChdbSinkBench.Step step) throws Exception {
    ChdbSinkBench.measure(what, rows, cpuNanos, step);
  }
}
