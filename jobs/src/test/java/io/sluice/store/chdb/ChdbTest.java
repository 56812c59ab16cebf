package io.sluice.store.chdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.store.ClickHouseException;
import io.sluice.store.sink.RowBinary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-process ClickHouse 26.7 the other chDB tests run on: statements, errors, RowBinary inserts, the JVM intact. */
class ChdbTest {
  private final ChdbClickHouse db = Chdb.clickHouse();

  @Test
  void isClickHouse26_7() {
    assertTrue(db.serverVersion().startsWith("26.7."), db.serverVersion());
  }

  @Test
  void anErrorCarriesTheServersCode() {
    ClickHouseException e = assertThrows(ClickHouseException.class, () -> db.execute("SELECT * FROM no_such_table_here"));
    assertEquals(60, e.code(), e.getMessage());
  }

  @Test
  void rowBinaryRoundTripsInTheSessionsDatabase() {
    db.execute("CREATE DATABASE IF NOT EXISTS chdb_test");
    ChdbClickHouse test = db.withDatabase("chdb_test");
    test.execute("DROP TABLE IF EXISTS t");
    test.execute("CREATE TABLE t (id UInt32, name String, addr IPv6) ENGINE = MergeTree() ORDER BY id");
    RowBinary rows = new RowBinary(64);
    byte[] v6 = new byte[16];
    v6[15] = 1;
    rows.uint32(7);
    rows.string("seven\0with a zero");
    rows.fixed(v6, 16);
    rows.uint32(8);
    rows.string("eight");
    rows.fixed(v6, 16);
    test.insertRowBinary("t", List.of("id", "name", "addr"), rows.array(), rows.size());
    assertEquals(List.of(List.of("7", "seven\0with a zero", "::1"), List.of("8", "eight", "::1")),
        test.query("SELECT id, name, addr FROM t ORDER BY id").rows());
    assertEquals("2", db.scalar("SELECT count() FROM chdb_test.t"), "the session's default database stays default");
  }

  @Test
  void settingsApplyToOneStatementOnly() {
    assertEquals("1", db.execute("SELECT getSetting('max_threads')", null, Map.of("max_threads", "1")).strip());
    assertTrue(Long.parseLong(db.scalar("SELECT getSetting('max_threads')")) != 1);
  }

  @Test
  void theJvmKeepsItsSignalHandlers() {
    System.out.println("signals restored after chDB connected: " + Chdb.session().restoredSignals());
    // An implicit null check in compiled code is a SIGSEGV the JVM handles: without its handler the JVM dies here.
    int caught = 0;
    for (int i = 0; i < 200_000; i++) {
      try {
        caught += length(i % 1000 == 0 ? null : "x");
      } catch (NullPointerException e) {
        caught++;
      }
    }
    assertEquals(200_000, caught);
  }

  private static int length(String s) {
    return s.length();
  }
}
