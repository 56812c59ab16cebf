package io.sluice.store.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link StagingStoreTest}'s commit protocol, the same statements, on ClickHouse 26.7 (chDB, in-process). */
class StagingStoreOnClickHouse26Test extends StagingStoreTest {
  @Override
  protected ClickHouseSql server() {
    return Chdb.clickHouse();
  }

  @Override
  protected String url() {
    return "chdb:in-process"; // not dialled: the store gets its connection from server()
  }

  /** LowCardinality is staged as its plain type (cheaper to parse), and the commit lands it in the table's type. */
  @Test
  void lowCardinalityColumnsAreStagedPlainAndLandTyped() throws Exception {
    db.execute("CREATE TABLE lc (id UInt64, kind LowCardinality(String), tags Array(LowCardinality(String)),"
        + " status Int16 DEFAULT -1, ingest_batch UInt64) ENGINE = MergeTree() ORDER BY id");
    SinkSettings lc = SinkSettings.of(url(), db.database(), "lc").withChunkRows(1000);
    StagingStore lcStore = store(lc, List.of("id", "kind", "tags"));
    lcStore.ensureTables();
    assertEquals("id\tUInt64\t\t\nkind\tString\t\t\ntags\tArray(String)\t\t\nstatus\tInt16\tDEFAULT\t-1\n"
        + "ingest_batch\tUInt64\t\t\n", db.execute("SELECT name, type, default_kind, default_expression FROM system.columns"
        + " WHERE database = currentDatabase() AND table = '_sluice_stage_lc'"));
    long epoch = 7L << StagedBatch.CHUNK_BITS;
    RowBinary rb = new RowBinary(256);
    for (int i = 0; i < 3; i++) {
      rb.uint64(i).string("k" + (i % 2)).stringArray(List.of("t" + i)).uint64(epoch);
    }
    lcStore.stage(rb.array(), rb.size(), epoch, 0, 3);
    lcStore.commit(new StagedBatch("lc", epoch, 3, 1000));
    assertEquals("0\tk0\t['t0']\t-1\n1\tk1\t['t1']\t-1\n2\tk0\t['t2']\t-1\n",
        db.execute("SELECT id, kind, tags, status FROM lc ORDER BY id"));
    assertEquals("LowCardinality(String)", db.scalar("SELECT toTypeName(kind) FROM lc LIMIT 1"));
  }

  @Test
  void stagedTypes() {
    assertEquals("String", StagingStore.staged("LowCardinality(String)"));
    assertEquals("Array(String)", StagingStore.staged("Array(LowCardinality(String))"));
    assertEquals("Nullable(FixedString(2))", StagingStore.staged("LowCardinality(Nullable(FixedString(2)))"));
    assertEquals("Tuple(String, UInt8, String)",
        StagingStore.staged("Tuple(LowCardinality(String), UInt8, LowCardinality(String))"));
    assertEquals("UInt64", StagingStore.staged("UInt64"));
  }
}
