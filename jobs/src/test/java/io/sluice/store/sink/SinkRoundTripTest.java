package io.sluice.store.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.flow.CaptureFlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Process;
import io.sluice.l7.L7Sink;
import io.sluice.l7.TlsRow;
import io.sluice.decode.l7.tls.BenchHandshakes;
import io.sluice.decode.l7.tls.TlsHandshakeRow;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.TestClickHouse;
import io.sluice.store.chdb.Chdb;
import io.sluice.store.rows.DnsRowEncoder;
import io.sluice.store.rows.FlowRowEncoder;
import io.sluice.store.rows.HttpRowEncoder;
import io.sluice.store.rows.PreEncodedRows;
import io.sluice.store.rows.TlsRowEncoder;
import io.sluice.store.schema.Migrator;
import io.sluice.store.schema.ServerFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sink end to end on both ClickHouse versions CI runs, with the same statements: rows of the fixture captures
 * (flows decoded as FlowJob decodes them, dns and http from the L7 engine, tls handshakes through the TLS parser) encoded
 * by the sink's encoders, staged,
 * committed twice under the same epoch (as after a restore), and read back: once, and the same on 18.16 (server)
 * and 26.7 (chDB); the rollups' totals by every dimension equal flows'. 20 to 100 s (by load): each round trip migrates
 * a new database (every migration) on a version, five of them, because staging flows with fewer columns is compared
 * with staging every column on the same server.
 */
class SinkRoundTripTest {
  private static final Path FIXTURES = TestStack.repoRoot().getParent().resolve("shared/fixtures");
  private static final int CHUNK_ROWS = 40; // several chunks per table: flows 427 rows, http 89 (the fixtures)
  private static final long EPOCH = 0x5eed_cafeL << StagedBatch.CHUNK_BITS;
  private static final Map<String, Encoded> TABLES = new LinkedHashMap<>();

  /** One table's rows as the sink writer buffers them: each row, then its ingest_batch (epoch | chunk). */
  private record Encoded(List<String> columns, RowBinary rows, long count) {}

  /**
   * The flows rows again, each with only the columns it fills ({@link FlowRowEncoder#filledColumns}), one buffer per
   * set of columns in the order the sets first appear: staged set by set as inserts of fewer columns.
   */
  private static final Map<Long, RowBinary> FLOWS_BY_COLUMNS = new LinkedHashMap<>();
  private static final Map<Long, Long> FLOWS_COUNT_BY_COLUMNS = new LinkedHashMap<>();
  /** The L7 tables' rows as the L7Job's join emits them: one RowBinary row each, without ingest_batch. */
  private static final Map<String, List<byte[]>> L7_ROWS = new LinkedHashMap<>();
  private static final Map<String, List<String>> L7_COLUMNS = Map.of("dns", DnsRowEncoder.COLUMNS, "http",
      HttpRowEncoder.COLUMNS, "tls", TlsRowEncoder.COLUMNS);

  @BeforeAll
  static void encode() throws IOException {
    FlowRowEncoder flows = new FlowRowEncoder();
    Encoded flowRows = new Encoded(flows.columns(), new RowBinary(1 << 20), 0);
    long[] n = new long[3];
    for (Path capture : captures("flows")) {
      CaptureFlowDecoder decoder = new CaptureFlowDecoder(0);
      try (CaptureReader reader = CaptureReader.open(capture)) {
        for (CaptureFrame frame : reader) {
          decoder.frame(frame.timestampNs(), frame.linkType(), frame.data(), (FlowRecord r) -> {
            flows.encode(r, flowRows.rows());
            long filled = flows.filledColumns(r);
            RowBinary narrow = FLOWS_BY_COLUMNS.computeIfAbsent(filled, k -> new RowBinary(1 << 16));
            flows.encode(r, narrow, filled);
            narrow.uint64(EPOCH | (n[0] / CHUNK_ROWS));
            FLOWS_COUNT_BY_COLUMNS.merge(filled, 1L, Long::sum);
            flowRows.rows().uint64(EPOCH | (n[0]++ / CHUNK_ROWS));
          });
        }
      }
    }
    DnsRowEncoder dns = new DnsRowEncoder("fixtures");
    HttpRowEncoder http = new HttpRowEncoder("fixtures");
    RowBinary row = new RowBinary(1 << 12);
    L7_ROWS.put("dns", new ArrayList<>());
    L7_ROWS.put("http", new ArrayList<>());
    L7_ROWS.put("tls", new ArrayList<>());
    L7Sink sink = new L7Sink() {
      @Override
      public void dns(DnsRow r) {
        row.clear();
        dns.encode(r, row);
        L7_ROWS.get("dns").add(row.toByteArray());
      }

      @Override
      public void http(HttpRow r) {
        row.clear();
        http.encode(r, row);
        L7_ROWS.get("http").add(row.toByteArray());
      }
    };
    for (Path capture : captures("l7")) {
      L7Replay.run(capture, L7Config.defaults(), sink);
    }
    // The fixtures hold no TLS: handshakes through the TLS parser, half of them without a ServerHello.
    int port = 40000;
    for (TlsHandshakeRow h : BenchHandshakes.rows(2 * CHUNK_ROWS + 7, 1_700_000_000_000_000_000L)) {
      row.clear();
      boolean answered = port % 2 == 0;
      TlsRowEncoder.encode(new TlsRow(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 7}, port++,
          new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, 10, 0, 0, 9}, 443, answered ? h : new TlsHandshakeRow(
          h.clientHelloNs(), 0, h.clientHello(), null, false, false, 0, 0, false, TlsHandshakeRow.STATUS_NO_SERVER_HELLO)),
          "fixtures", L7Process.NONE, row);
      L7_ROWS.get("tls").add(row.toByteArray());
    }
    TABLES.put("flows", new Encoded(flows.columns(), flowRows.rows(), n[0]));
    L7_ROWS.forEach((table, rows) -> {
      RowBinary all = new RowBinary(1 << 20);
      for (int i = 0; i < rows.size(); i++) {
        all.raw(rows.get(i));
        all.uint64(EPOCH | (i / CHUNK_ROWS));
      }
      TABLES.put(table, new Encoded(L7_COLUMNS.get(table), all, rows.size()));
    });
    TABLES.forEach((table, e) -> assertTrue(e.count() > CHUNK_ROWS, table + ": the fixtures give only " + e.count() + " rows"));
  }

  @Test
  void encodedRowsCommittedTwiceLandOnceAndReadTheSameOnBothVersions() throws Exception {
    assertTrue(FLOWS_BY_COLUMNS.size() > 1, "the fixtures' flows fill only one set of columns");
    long t0 = System.nanoTime();
    Map<String, List<String>> on18 = roundTrip(new ClickHouseHttp(TestClickHouse.url(), null), TestClickHouse.url(), false);
    long t1 = System.nanoTime();
    Map<String, List<String>> on26 = roundTrip(Chdb.clickHouse(), "chdb:in-process", false);
    System.out.printf("round trip of %s rows: %d ms on 18.16 (server start included), %d ms on 26.7%n",
        TABLES.values().stream().mapToLong(Encoded::count).sum(), (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
    for (String table : TABLES.keySet()) {
      assertEquals(TABLES.get(table).count(), on26.get(table).size(), table);
      assertEquals(on18.get(table), on26.get(table), table + ": the rows read back differ between 18.16 and 26.7");
    }
  }

  /**
   * Rows staged with only the columns each fills, in several inserts of different column sets within the same chunks,
   * and committed with the union of the sets: each table holds exactly what staging every column gave. Flows through
   * {@link FlowRowEncoder#filledColumns}; dns, http and tls as the L7Job's sink does it, from the join's encoded rows
   * with the table's column types read from the server ({@link PreEncodedRows#forColumnTypes}).
   */
  @Test
  void rowsStagedWithOnlyTheirFilledColumnsReadTheSameAsWithAll() throws Exception {
    ClickHouseSql on18 = new ClickHouseHttp(TestClickHouse.url(), null);
    Map<String, List<String>> all = roundTrip(on18, TestClickHouse.url(), false);
    Map<String, List<String>> fewer18 = roundTrip(on18, TestClickHouse.url(), true);
    Map<String, List<String>> fewer26 = roundTrip(Chdb.clickHouse(), "chdb:in-process", true);
    for (String table : TABLES.keySet()) {
      assertSameRows(all.get(table), fewer18.get(table), table + " on 18.16");
      assertSameRows(all.get(table), fewer26.get(table), table + " on 26.7");
    }
  }

  /**
   * Stages the join's rows of an L7 table as the sink writer does with the table's types: each row with only the
   * columns it fills (rows of one set in one insert, sets in the order they first appear); returns the union.
   */
  private static long stageFilledColumns(StagingStore store, String table) throws InterruptedException {
    RowEncoder<byte[]> encoder = new PreEncodedRows(L7_COLUMNS.get(table)).forColumnTypes(store.columnTypes());
    List<byte[]> rows = L7_ROWS.get(table);
    Map<Long, RowBinary> bySet = new LinkedHashMap<>();
    Map<Long, Long> counts = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      long filled = encoder.filledColumns(rows.get(i)) | store.alwaysStaged() | 1L;
      RowBinary narrow = bySet.computeIfAbsent(filled, k -> new RowBinary(1 << 16));
      encoder.encode(rows.get(i), narrow, filled);
      narrow.uint64(EPOCH | (i / CHUNK_ROWS));
      counts.merge(filled, 1L, Long::sum);
    }
    long union = stageBySet(store, bySet, counts);
    List<String> empty = new ArrayList<>(L7_COLUMNS.get(table));
    empty.removeAll(RowEncoder.columnsIn(L7_COLUMNS.get(table), union));
    assertTrue(!empty.isEmpty(), table + ": every column staged, so nothing was left out");
    return union;
  }

  /** Stages each column set's rows in one insert, as consecutive rows of the epoch; returns the union of the sets. */
  private static long stageBySet(StagingStore store, Map<Long, RowBinary> bySet, Map<Long, Long> counts)
      throws InterruptedException {
    long staged = 0;
    long union = 0;
    for (Map.Entry<Long, RowBinary> set : bySet.entrySet()) {
      long count = counts.get(set.getKey());
      store.stage(set.getValue().array(), set.getValue().size(), EPOCH, staged, count, set.getKey());
      staged += count;
      union |= set.getKey();
    }
    return union;
  }

  /** Equal lists; else the rows only one side has (not the whole table). */
  private static void assertSameRows(List<String> expected, List<String> actual, String where) {
    List<String> missing = new ArrayList<>(expected);
    missing.removeAll(actual);
    List<String> extra = new ArrayList<>(actual);
    extra.removeAll(expected);
    assertEquals(List.of(), missing.subList(0, Math.min(3, missing.size())), where + ": rows missing (first 3 of "
        + missing.size() + "), rows not expected " + extra.subList(0, Math.min(3, extra.size())));
    assertEquals(expected, actual, where);
  }

  /** Migrates a new database, stages and commits every table twice; returns each table's rows, sorted. */
  private static Map<String, List<String>> roundTrip(ClickHouseSql server, String url, boolean fewerColumns)
      throws Exception {
    String database = TestClickHouse.newDatabase("roundtrip");
    Migrator.Result migrated = new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    ClickHouseSql db = server.withDatabase(database);
    if (migrated.capabilities().features().contains(ServerFeature.TTL)) {
      // The captures are years old: the tables' TTL (flows: 90 days) would delete their rows in the background.
      db.execute("SYSTEM STOP TTL MERGES");
    }
    String version = db.serverVersion();
    Map<String, List<String>> readBack = new LinkedHashMap<>();
    for (Map.Entry<String, Encoded> entry : TABLES.entrySet()) {
      String table = entry.getKey();
      Encoded encoded = entry.getValue();
      SinkSettings settings = SinkSettings.of(url, database, table).withChunkRows(CHUNK_ROWS);
      StagingStore store = new StagingStore(settings, encoded.columns(), db);
      store.ensureTables();
      StagedBatch batch;
      if (fewerColumns && table.equals("flows")) {
        long union = stageBySet(store, FLOWS_BY_COLUMNS, FLOWS_COUNT_BY_COLUMNS);
        batch = new StagedBatch(table, EPOCH, encoded.count(), CHUNK_ROWS, 0, null, union);
      } else if (fewerColumns) {
        batch = new StagedBatch(table, EPOCH, encoded.count(), CHUNK_ROWS, 0, null, stageFilledColumns(store, table));
      } else {
        store.stage(encoded.rows().array(), encoded.rows().size(), EPOCH, 0, encoded.count());
        batch = new StagedBatch(table, EPOCH, encoded.count(), CHUNK_ROWS);
      }
      store.commit(batch);
      store.commit(batch);
      String where = table + " on " + version;
      assertEquals(Long.toString(encoded.count()), db.scalar("SELECT count() FROM " + table), where);
      assertEquals(Long.toString(encoded.count()), db.scalar("SELECT sum(rows) FROM _sluice_commits WHERE target_table = '"
          + table + "'"), where + ": markers");
      assertEquals(Integer.toString(batch.chunks()), db.scalar("SELECT uniqExact(ingest_batch) FROM _sluice_commits"
          + " WHERE target_table = '" + table + "'"), where + ": one marker per chunk");
      assertEquals("0", db.scalar("SELECT count() FROM " + settings.stagingTable()), where + ": staging dropped");
      readBack.put(table, rows(db, table, encoded.columns()));
    }
    for (String rollup : List.of("flows_1m", "flows_1h")) {
      assertEquals(Long.toString(TABLES.get("flows").count()), db.scalar("SELECT sum(records) FROM " + rollup),
          rollup + " on " + version + ": the rollup saw each committed row once");
    }
    assertEquals(rollupTotals(db, "flows", "toStartOfMinute", "count()"), rollupTotals(db, "flows_1m", "", "sum(records)"),
        "flows_1m on " + version + ": totals by every dimension");
    assertEquals(rollupTotals(db, "flows", "toStartOfHour", "count()"), rollupTotals(db, "flows_1h", "", "sum(records)"),
        "flows_1h on " + version + ": totals by every dimension");
    return readBack;
  }

  /** The rollups' dimensions and measures, summed by every dimension from {@code table}, sorted. */
  private static List<String> rollupTotals(ClickHouseSql db, String table, String period, String records) {
    String dims = "exporter_name, site, flow_type, in_if, out_if, in_if_name, out_if_name, direction, protocol, src_as,"
        + " dst_as, sampling_rate_source";
    List<String> rows = new ArrayList<>();
    db.query("SELECT toUInt32(" + period + "(time)) AS t, IPv6NumToString(exporter_addr) AS e, " + dims + ", " + records
        + ", sum(sampled_bytes), sum(sampled_packets), sum(est_bytes), sum(est_packets) FROM " + table
        + " GROUP BY t, e, " + dims).rows().forEach(r -> rows.add(String.join("\t", r)));
    rows.sort(null);
    assertTrue(rows.size() > 1, table + ": no rows to compare");
    return rows;
  }

  /** Every encoded column, printed the same on both versions (IPv6 as text, DateTime as seconds). */
  private static List<String> rows(ClickHouseSql db, String table, List<String> columns) {
    Map<String, String> types = new LinkedHashMap<>();
    db.query("SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = '" + table + "'")
        .rows().forEach(r -> types.put(r.get(0), r.get(1)));
    List<String> expressions = new ArrayList<>();
    for (String column : columns) {
      String type = types.get(column);
      expressions.add(type.equals("IPv6") || type.equals("FixedString(16)") ? "IPv6NumToString(" + column + ")"
          : type.equals("DateTime") ? "toUInt32(" + column + ")" : column);
    }
    List<String> rows = new ArrayList<>();
    db.query("SELECT " + String.join(", ", expressions) + " FROM " + table).rows().forEach(r -> rows.add(String.join("\t", r)));
    rows.sort(null);
    return rows;
  }

  private static List<Path> captures(String dir) throws IOException {
    try (Stream<Path> files = Files.walk(FIXTURES.resolve(dir))) {
      return files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
    }
  }
}
