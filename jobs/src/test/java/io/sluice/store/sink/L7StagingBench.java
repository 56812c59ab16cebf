package io.sluice.store.sink;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import io.sluice.decode.l7.tls.BenchHandshakes;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Process;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import io.sluice.l7.TlsRow;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;
import io.sluice.store.chdb.bench.ChdbSinkBench;
import io.sluice.store.rows.DnsRowEncoder;
import io.sluice.store.rows.HttpRowEncoder;
import io.sluice.store.rows.PreEncodedRows;
import io.sluice.store.rows.TlsRowEncoder;
import io.sluice.store.schema.Migrator;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The exactly-once sink's cost per L7 row (dns, http, tls) on ClickHouse 18.16 (a server of its own, CPU from its
 * /proc stat) or 26.7 (chDB in this process, the process's CPU), with the sink's own {@link StagingStore#stage} and
 * {@link StagingStore#commit}. The rows are what the L7Job's join writes: a capture (the one `sluice bench l7`
 * generates) through the L7 engine, {@code copies} times, each copy its own node and later in time, encoded by the
 * tables' encoders with no process known (as in the bench); tls rows, which that capture has none of, are
 * handshakes of a Chrome-like ClientHello through the TLS parser, as many as the dns rows. Staged in inserts of
 * {@code insert-rows} under one epoch, committed in chunks of 200,000. Merges are stopped. Per table and round: parse
 * only, the sink staging every column (before) and only the columns the rows fill ({@link PreEncodedRows} with the
 * table's types, as the sink does now), each committed; and the same commit into a copy of the table sorted by time
 * alone (what the ORDER BY costs). Also prints the TaskManager's side: the encoder's CPU per row on this thread.
 *
 * <p>args: server|chdb, capture, copies (default 100), rounds (default 3), insert rows (default 50,000); the
 * server's ports and work directory from {@code -Dbench.ports=HTTP,TCP -Dbench.work=DIR} (else free ports, a temp
 * directory).
 */
public final class L7StagingBench {
  private static final long EPOCH = ChdbSinkBench.EPOCH;
  private static final int CHUNK_ROWS = ChdbSinkBench.CHUNK_ROWS;

  private final ClickHouseSql db;
  private final LongSupplier cpuNanos;

  private L7StagingBench(ClickHouseSql db, LongSupplier cpuNanos) {
    this.db = db;
    this.cpuNanos = cpuNanos;
  }

  public static void main(String[] args) throws Exception {
    String where = args[0];
    Path capture = Path.of(args[1]);
    int copies = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    int insertRows = args.length > 4 ? Integer.parseInt(args[4]) : 50_000;
    Map<String, List<byte[]>> rows = rows(capture, copies);
    if (where.equals("chdb")) {
      ClickHouseSql server = Chdb.clickHouse();
      new Migrator(server, "bench", TestStack.repoRoot().resolve("sql"), s -> {}).migrate();
      OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      new L7StagingBench(server.withDatabase("bench"), os::getProcessCpuTime).run(rows, rounds, insertRows);
      return;
    }
    // -Dbench.ports=HTTP,TCP and -Dbench.work=DIR put the server where the machine's other users are not.
    var settings = TestStack.settings();
    if (System.getProperty("bench.ports") != null) {
      String[] p = System.getProperty("bench.ports").split(",");
      settings = settings.withPorts(Integer.parseInt(p[0]), Integer.parseInt(p[1]), settings.kafkaPort(),
          settings.kafkaControllerPort(), settings.flinkRestPort(), settings.flinkRpcPort());
    }
    if (System.getProperty("bench.work") != null) {
      settings = settings.withWorkDir(java.nio.file.Files.createDirectories(Path.of(System.getProperty("bench.work"))));
    }
    boolean merges = args.length > 5 && args[5].equals("merges");
    ClickHouseService clickhouse = TestStack.start(new ClickHouseService(settings, merges ? PART_LOG : ""), 60_000);
    try {
      long pid = clickhouse.processes().get(0).pid().orElseThrow();
      ClickHouseSql server = new ClickHouseHttp(settings.clickhouseUrl(), null);
      new Migrator(server, "bench", TestStack.repoRoot().resolve("sql"), s -> {}).migrate();
      L7StagingBench bench = new L7StagingBench(server.withDatabase("bench"), () -> SinkStagingBench.procCpuNanos(pid));
      if (merges) {
        new Migrator(server, "bench_nomerge", TestStack.repoRoot().resolve("sql"), s -> {}).migrate();
        bench.merges(rows, server.withDatabase("bench_nomerge"), rounds, insertRows);
      } else {
        bench.run(rows, rounds, insertRows);
      }
    } finally {
      clickhouse.stop();
    }
  }

  private static final String PART_LOG = "<part_log><database>system</database><table>part_log</table>"
      + "<flush_interval_milliseconds>1000</flush_interval_milliseconds></part_log>";

  /**
   * The staging table's background merges, at the sink's cadence, with merges on: per epoch, inserts of insertRows
   * every 2 s (the flush interval) up to a chunk, then the commit; the sink's staging table against one made with
   * {@code max_bytes_to_merge_at_max_space_in_pool = 1} (never merged) in a second database. Prints the server's CPU
   * per row over each design's whole run and the merges part_log saw per table.
   */
  private void merges(Map<String, List<byte[]>> rows, ClickHouseSql noMerge, int epochs, int insertRows)
      throws Exception {
    System.out.printf("ClickHouse %s, merges on, inserts of %,d rows every 2 s, %d epochs of %,d rows per design%n",
        db.serverVersion(), insertRows, epochs, CHUNK_ROWS);
    for (String table : List.of("dns", "tls")) {
      List<String> columns = table.equals("dns") ? DnsRowEncoder.COLUMNS : TlsRowEncoder.COLUMNS;
      String staging = SinkSettings.of("bench", "x", table).stagingTable();
      noMerge.execute("CREATE TABLE " + staging + " AS " + table + " ENGINE = MergeTree() PARTITION BY intDiv(ingest_batch, "
          + (1L << StagedBatch.CHUNK_BITS) + ") ORDER BY ingest_batch SETTINGS max_bytes_to_merge_at_max_space_in_pool = 1");
      int design = 0;
      for (ClickHouseSql where : List.of(db, noMerge, db, noMerge)) {
        design++;
        L7StagingBench on = new L7StagingBench(where, cpuNanos);
        Table t = on.new Table(table, columns, rows.get(table).subList(0, CHUNK_ROWS), insertRows);
        t.store.ensureTables();
        RowEncoder<byte[]> encoder = new PreEncodedRows(columns).forColumnTypes(t.store.columnTypes());
        t.filled = t.store.alwaysStaged() | 1L;
        for (byte[] r : t.rows) {
          t.filled |= encoder.filledColumns(r);
        }
        long cpu = cpuNanos.getAsLong();
        for (int e = 0; e < epochs; e++) {
          long epoch = (e + 1L + (where == db ? 0 : 1000) + design * 100L) << StagedBatch.CHUNK_BITS;
          List<byte[]> inserts = t.inserts(encoder, t.filled, epoch);
          long staged = 0;
          for (byte[] b : inserts) {
            long count = Math.min(insertRows, CHUNK_ROWS - staged);
            t.store.stage(b, b.length, epoch, staged, count, t.filled);
            staged += count;
            Thread.sleep(2_000);
          }
          t.store.commit(new StagedBatch(table, epoch, CHUNK_ROWS, CHUNK_ROWS, 0, null, t.filled));
        }
        double us = (cpuNanos.getAsLong() - cpu) / 1e3 / ((long) epochs * CHUNK_ROWS);
        System.out.printf("  %s, %s: %.2f µs server CPU per row over the run (idle included)%n", table,
            where == db ? "the sink's staging" : "staging never merged", us);
      }
    }
    db.execute("SYSTEM FLUSH LOGS");
    db.query("SELECT database, table, count(), sum(duration_ms), sum(rows) FROM system.part_log"
        + " WHERE CAST(event_type AS Int8) = 2 GROUP BY database, table ORDER BY database, table").rows().forEach(r ->
        System.out.println("  merges: " + String.join("\t", r)));
  }

  /** Each table's rows as the join writes them (one byte[] per row, without ingest_batch). */
  static Map<String, List<byte[]>> rows(Path capture, int copies) throws Exception {
    List<CaptureFrame> frames = new ArrayList<>();
    try (CaptureReader reader = CaptureReader.open(capture)) {
      reader.forEach(frames::add);
    }
    long span = frames.get(frames.size() - 1).timestampNs() - frames.get(0).timestampNs() + 1_000_000_000L;
    Map<String, List<byte[]>> rows = new LinkedHashMap<>();
    rows.put("dns", new ArrayList<>());
    rows.put("http", new ArrayList<>());
    rows.put("tls", new ArrayList<>());
    RowBinary out = new RowBinary(1 << 12);
    for (int copy = 0; copy < copies; copy++) {
      String node = "bench-" + copy;
      L7Sink sink = new L7Sink() {
        @Override
        public void dns(DnsRow row) {
          out.clear();
          DnsRowEncoder.encode(row, node, L7Process.NONE, out);
          rows.get("dns").add(out.toByteArray());
        }

        @Override
        public void http(HttpRow row) {
          out.clear();
          HttpRowEncoder.encode(row, node, L7Process.NONE, out);
          rows.get("http").add(out.toByteArray());
        }
      };
      long shift = copy * span;
      List<CaptureFrame> shifted = frames.stream().map(f -> new CaptureFrame(f.timestampNs() + shift, f.linkType(),
          f.capturedLength(), f.originalLength(), f.data())).toList();
      L7Replay.run(shifted, L7Config.defaults(), sink);
    }
    long start = frames.get(0).timestampNs();
    byte[] client = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 20};
    byte[] server = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, (byte) 443};
    int port = 20000;
    for (var h : BenchHandshakes.rows(rows.get("dns").size(), start)) {
      out.clear();
      port = port == 60000 ? 20000 : port + 1;
      TlsRowEncoder.encode(new TlsRow(client, port, server, 443, h), "bench-" + (port % copies), L7Process.NONE, out);
      rows.get("tls").add(out.toByteArray());
    }
    return rows;
  }

  private void run(Map<String, List<byte[]>> rows, int rounds, int insertRows) throws Exception {
    db.execute("SYSTEM STOP MERGES");
    Map<String, Table> tables = new LinkedHashMap<>();
    List<String> columnsOf = null;
    for (var e : rows.entrySet()) {
      List<String> columns = switch (e.getKey()) {
        case "dns" -> DnsRowEncoder.COLUMNS;
        case "http" -> HttpRowEncoder.COLUMNS;
        default -> TlsRowEncoder.COLUMNS;
      };
      tables.put(e.getKey(), new Table(e.getKey(), columns, e.getValue(), insertRows));
    }
    System.out.printf("ClickHouse %s, inserts of %,d rows, chunks of %,d%n", db.serverVersion(), insertRows, CHUNK_ROWS);
    for (Table t : tables.values()) {
      t.prepare();
    }
    for (int round = 1; round <= rounds; round++) {
      System.out.println("round " + round);
      for (Table t : tables.values()) {
        t.round();
      }
    }
  }

  /** One table: its rows encoded both ways, and the steps. */
  private final class Table {
    final String name;
    final List<String> columns;
    final List<byte[]> rows;
    final int insertRows;
    final StagingStore store;
    List<byte[]> whole;
    List<byte[]> narrow;
    long filled;

    Table(String name, List<String> columns, List<byte[]> rows, int insertRows) {
      this.name = name;
      this.columns = columns;
      this.rows = rows;
      this.insertRows = insertRows;
      this.store = new StagingStore(SinkSettings.of("bench", db.database(), name).withChunkRows(CHUNK_ROWS), columns, db);
    }

    void prepare() throws Exception {
      store.ensureTables();
      RowEncoder<byte[]> encoder = new PreEncodedRows(columns).forColumnTypes(store.columnTypes());
      filled = store.alwaysStaged() | 1L;
      for (byte[] r : rows) {
        filled |= encoder.filledColumns(r);
      }
      whole = inserts(new PreEncodedRows(columns), RowEncoder.ALL_COLUMNS);
      narrow = inserts(encoder, filled);
      ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
      RowBinary out = new RowBinary(64 << 20);
      long[] cpu = new long[2];
      for (int pass = 0; pass < 6; pass++) { // the last two passes of each measured, after the JIT
        long t0 = mx.getCurrentThreadCpuTime();
        out.clear();
        for (byte[] r : rows) {
          out.raw(r);
        }
        long t1 = mx.getCurrentThreadCpuTime();
        out.clear();
        for (byte[] r : rows) {
          encoder.encode(r, out, filled | encoder.filledColumns(r));
        }
        long t2 = mx.getCurrentThreadCpuTime();
        if (pass >= 4) {
          cpu[0] += t1 - t0;
          cpu[1] += t2 - t1;
        }
      }
      db.execute("CREATE TABLE IF NOT EXISTS " + name + "_null AS " + name + " ENGINE = Null");
      db.execute("CREATE TABLE IF NOT EXISTS " + name + "_bytime AS " + name
          + " ENGINE = MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY time");
      db.execute("CREATE MATERIALIZED VIEW IF NOT EXISTS _m_" + name + "_bytime TO " + StagingStore.COMMITS
          + " AS SELECT '" + name + "_bytime' AS target_table, ingest_batch, count() AS rows FROM " + name
          + "_bytime GROUP BY ingest_batch");
      System.out.printf("%s: %,d rows, %d bytes a row with all %d columns, %d with the %d they fill %s; the encoder"
          + " in the TaskManager: %.3f µs a row copying it whole, %.3f µs finding and copying the filled columns%n",
          name, rows.size(), bytes(whole) / rows.size(), columns.size(), bytes(narrow) / rows.size(),
          RowEncoder.columnsIn(columns, filled).size(), unfilled(), cpu[0] / 2e3 / rows.size(),
          cpu[1] / 2e3 / rows.size());
    }

    private String unfilled() {
      List<String> empty = new ArrayList<>(columns);
      empty.removeAll(RowEncoder.columnsIn(columns, filled));
      return "(always empty: " + String.join(", ", empty) + ")";
    }

    private long bytes(List<byte[]> inserts) {
      return inserts.stream().mapToLong(b -> b.length).sum() - 8L * rows.size();
    }

    /** The rows as the writer stages them: inserts of insertRows, each row followed by its ingest_batch. */
    private List<byte[]> inserts(RowEncoder<byte[]> encoder, long set) {
      return inserts(encoder, set, EPOCH);
    }

    private List<byte[]> inserts(RowEncoder<byte[]> encoder, long set, long epoch) {
      List<byte[]> inserts = new ArrayList<>();
      RowBinary out = new RowBinary(1 << 24);
      for (int i = 0; i < rows.size(); i++) {
        encoder.encode(rows.get(i), out, set);
        out.uint64(epoch | (i / CHUNK_ROWS));
        if ((i + 1) % insertRows == 0 || i == rows.size() - 1) {
          inserts.add(out.toByteArray());
          out.clear();
        }
      }
      return inserts;
    }

    void round() throws Exception {
      int n = rows.size();
      List<String> all = store.allColumns();
      clear();
      measure("parse only (Null table), every column", () -> {
        for (byte[] b : whole) {
          db.insertRowBinary(name + "_null", all, b, b.length);
        }
      });
      measure("stage every column (the sink before)", () -> stage(whole, RowEncoder.ALL_COLUMNS));
      measure("commit every column (the sink before)", () -> store.commit(new StagedBatch(name, EPOCH, n, CHUNK_ROWS)));
      check(name);
      clear();
      measure("stage the columns the rows fill (the sink now)", () -> stage(narrow, filled));
      measure("commit the columns the rows fill (the sink now)", () ->
          store.commit(new StagedBatch(name, EPOCH, n, CHUNK_ROWS, 0, null, filled)));
      check(name);
      clear();
      stage(narrow, filled);
      String cols = String.join(", ", store.stagedColumns(filled));
      measure("the same commit into a copy sorted by time alone", () -> {
        for (long chunk = 0; chunk * CHUNK_ROWS < n; chunk++) {
          db.execute("INSERT INTO " + name + "_bytime (" + cols + ") SELECT " + cols + " FROM "
              + SinkSettings.of("bench", db.database(), name).stagingTable() + " WHERE ingest_batch = " + (EPOCH | chunk),
              "bench-" + name + "-" + chunk, store.commitSettings());
        }
      });
      check(name + "_bytime");
      db.execute("TRUNCATE TABLE " + SinkSettings.of("bench", db.database(), name).stagingTable());
    }

    private void stage(List<byte[]> inserts, long set) throws InterruptedException {
      long staged = 0;
      for (byte[] b : inserts) {
        long count = Math.min(insertRows, rows.size() - staged);
        store.stage(b, b.length, EPOCH, staged, count, set);
        staged += count;
      }
    }

    private void clear() {
      for (String t : List.of(name, name + "_bytime", StagingStore.COMMITS)) {
        db.execute("TRUNCATE TABLE IF EXISTS " + t);
      }
    }

    private void check(String table) {
      String landed = db.scalar("SELECT count() FROM " + table);
      if (Long.parseLong(landed) != rows.size()) {
        System.out.printf("  WRONG: %s holds %s rows; expected %d%n", table, landed, rows.size());
      }
    }

    private void measure(String what, ChdbSinkBench.Step step) throws Exception {
      ChdbSinkBench.measure(name + ": " + what, rows.size(), cpuNanos, step);
    }
  }
}
