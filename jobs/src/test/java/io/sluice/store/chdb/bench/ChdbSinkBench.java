package io.sluice.store.chdb.bench;

import com.sun.management.OperatingSystemMXBean;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.flow.SamplingRateSource;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;
import io.sluice.store.chdb.ChdbClickHouse;
import io.sluice.store.rows.FlowRowEncoder;
import io.sluice.store.schema.Migrator;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.SinkSettings;
import io.sluice.store.sink.StagedBatch;
import io.sluice.store.sink.StagingStore;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the sink's designs cost on ClickHouse 26.7 (chDB, in this process), per flow row, as process CPU time
 * (the JVM idles while chDB works) and wall time. The rows are shaped like `sluice bench flows`' generator
 * (IPv4, 20 IPFIX fields filled, random interfaces and AS numbers), 50,000 per insert as the sink's staging
 * flushes are, committed in chunks of 200,000. Merges are stopped, so each step is its own cost. BENCHMARKS.md,
 * "The sink on ClickHouse 26.7", has the command.
 *
 * <p>args: rows per round (default 1,000,000), rounds (default 3)
 */
public final class ChdbSinkBench {
  public static final int INSERT_ROWS = 50_000;
  public static final int CHUNK_ROWS = 200_000;
  public static final long EPOCH = 1L << 20;
  /** How many interfaces and AS numbers the generator draws from (the rollups' keys): 64 and 1,000 unless a bench says. */
  public static int interfaces = 64;
  public static int asNumbers = 1000;
  private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final ChdbClickHouse db;
  private final FlowRowEncoder encoder = new FlowRowEncoder();
  private final List<String> columns;
  private final int rows;

  private ChdbSinkBench(ChdbClickHouse db, int rows) {
    this.db = db;
    this.rows = rows;
    this.columns = new ArrayList<>(encoder.columns());
    this.columns.add("ingest_batch");
  }

  public static void main(String[] args) throws Exception {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    ChdbClickHouse server = Chdb.clickHouse();
    new Migrator(server, "bench", TestStack.repoRoot().resolve("sql"), System.out::println).migrate();
    ChdbClickHouse db = server.withDatabase("bench");
    new ChdbSinkBench(db, rows).run(rounds);
  }

  private void run(int rounds) throws Exception {
    // A copy of flows with String where it has LowCardinality(String): what 18.16 gets, and the parse-cost baseline.
    String flowsDdl = db.scalar("SELECT create_table_query FROM system.tables WHERE database = 'bench' AND name = 'flows'");
    String plainDdl = flowsDdl.replace("LowCardinality(String)", "String");
    create("flows_novw", flowsDdl);
    create("flows_plain_novw", plainDdl);
    db.execute("CREATE TABLE IF NOT EXISTS flows_null AS flows_novw ENGINE = Null");
    db.execute("CREATE TABLE IF NOT EXISTS flows_plain_null AS flows_plain_novw ENGINE = Null");
    // The token design: the table itself deduplicates a repeated block (non-replicated tables need a window).
    create("flows_tok", flowsDdl.replaceFirst("(?s)SETTINGS (.*)$", "SETTINGS non_replicated_deduplication_window = 1000, $1"));
    for (String rollup : List.of("flows_1m", "flows_1h")) {
      String mv = db.scalar("SELECT create_table_query FROM system.tables WHERE database = 'bench' AND name = '" + rollup + "_mv'");
      String table = db.scalar("SELECT create_table_query FROM system.tables WHERE database = 'bench' AND name = '" + rollup + "'");
      create(rollup + "_tok", table.replaceFirst("(?s)SETTINGS (.*)$", "SETTINGS non_replicated_deduplication_window = 1000, $1"));
      db.execute(mv.replace("bench." + rollup + "_mv", "bench." + rollup + "_tok_mv").replace("TO bench." + rollup, "TO bench." + rollup + "_tok")
          .replace("FROM bench.flows", "FROM bench.flows_tok").replace("CREATE MATERIALIZED VIEW", "CREATE MATERIALIZED VIEW IF NOT EXISTS"));
    }
    staging().ensureTables();
    // Background merges would land on whichever step runs beside them: each step is measured without them.
    db.execute("SYSTEM STOP MERGES");
    db.execute("SYSTEM STOP TTL MERGES");
    List<byte[]> inserts = generate();
    System.out.printf("%,d rows of %d bytes each on average, ClickHouse %s%n", rows,
        inserts.stream().mapToLong(b -> b.length).sum() / rows, db.serverVersion());
    for (int r = 1; r <= rounds; r++) {
      int round = r;
      System.out.println("round " + round);
      measure("parse only (Null table), LowCardinality(String)", () -> insertAll("flows_null", inserts));
      measure("parse only (Null table), String", () -> insertAll("flows_plain_null", inserts));
      measure("one insert, flows without views, LowCardinality(String)", () -> insertAll("flows_novw", inserts));
      measure("one insert, flows without views, String", () -> insertAll("flows_plain_novw", inserts));
      measure("the sink: stage + commit (views: rollups, marker; optimize_on_insert = 0)", () -> stageAndCommit(inserts));
      measure("one insert per chunk with insert_deduplication_token (views: rollups)",
          () -> tokenInserts(inserts, round + "a", "1"));
      measure("the same, optimize_on_insert = 0", () -> tokenInserts(inserts, round + "b", "0"));
      measure("the same chunks again (a retried commit: all deduplicated)", () -> tokenInserts(inserts, round + "b", "0"));
      System.out.printf("  flows_tok %s rows, flows_1m_tok records %s (expected %d each round)%n",
          db.scalar("SELECT count() FROM flows_tok"), db.scalar("SELECT sum(records) FROM flows_1m_tok"), (long) rows * round * 2);
    }
  }

  private void create(String table, String ddl) {
    db.execute(ddl.replaceFirst("CREATE TABLE bench\\.\\w+", "CREATE TABLE IF NOT EXISTS bench." + table));
  }

  /** One measured step of a bench. */
  public interface Step {
    void run() throws Exception;
  }

  private void measure(String what, Step step) throws Exception {
    measure(what, rows, OS::getProcessCpuTime, step);
  }

  /** Runs the step and prints its CPU (from {@code cpuNanos}) and wall time per row. */
  public static void measure(String what, int rows, java.util.function.LongSupplier cpuNanos, Step step)
      throws Exception {
    long cpu = cpuNanos.getAsLong();
    long wall = System.nanoTime();
    step.run();
    double cpuUs = (cpuNanos.getAsLong() - cpu) / 1000.0 / rows;
    double wallUs = (System.nanoTime() - wall) / 1000.0 / rows;
    System.out.printf("  %-66s %6.2f µs CPU/row  %6.2f µs wall/row%n", what, cpuUs, wallUs);
  }

  private void insertAll(String table, List<byte[]> inserts) {
    for (byte[] insert : inserts) {
      db.insertRowBinary(table, columns, insert, insert.length);
    }
  }

  /** The sink as it is: every row staged, then each chunk moved by INSERT … SELECT; the same epoch each round. */
  private void stageAndCommit(List<byte[]> inserts) throws Exception {
    for (String table : List.of("flows", "flows_1m", "flows_1h", "_sluice_commits")) {
      db.execute("TRUNCATE TABLE IF EXISTS " + table);
    }
    StagingStore store = staging();
    long staged = 0;
    for (byte[] insert : inserts) {
      long count = Math.min(INSERT_ROWS, rows - staged);
      store.stage(insert, insert.length, EPOCH, staged, count);
      staged += count;
    }
    store.commit(new StagedBatch("flows", EPOCH, rows, CHUNK_ROWS));
  }

  private StagingStore staging() {
    return new StagingStore(SinkSettings.of("chdb:in-process", "bench", "flows").withChunkRows(CHUNK_ROWS),
        encoder.columns(), db);
  }

  /** Each 200,000-row chunk as one INSERT straight into the table, tagged with a token naming the chunk. */
  private void tokenInserts(List<byte[]> inserts, String tokens, String optimizeOnInsert) {
    int perChunk = CHUNK_ROWS / INSERT_ROWS;
    for (int i = 0; i < inserts.size(); i += perChunk) {
      int n = 0;
      for (int j = i; j < Math.min(i + perChunk, inserts.size()); j++) {
        n += inserts.get(j).length;
      }
      byte[] chunk = new byte[n];
      int at = 0;
      for (int j = i; j < Math.min(i + perChunk, inserts.size()); j++) {
        System.arraycopy(inserts.get(j), 0, chunk, at, inserts.get(j).length);
        at += inserts.get(j).length;
      }
      db.insertRowBinary("flows_tok", columns, chunk, chunk.length, Map.of("insert_deduplication_token",
          tokens + "-" + (i / perChunk), "deduplicate_blocks_in_dependent_materialized_views", "1",
          "optimize_on_insert", optimizeOnInsert));
    }
  }

  private List<byte[]> generate() {
    return generate(encoder, rows);
  }

  /**
   * {@code rows} flow rows like the bench generator's, RowBinary with ingest_batch last (epoch {@link #EPOCH}, chunks
   * of {@link #CHUNK_ROWS}), in inserts of {@link #INSERT_ROWS}; the same rows for every caller (seed 42).
   */
  public static List<byte[]> generate(io.sluice.store.sink.RowEncoder<FlowRecord> encoder, int rows) {
    Random random = new Random(42);
    List<byte[]> inserts = new ArrayList<>();
    RowBinary out = new RowBinary(INSERT_ROWS * 400);
    FlowRecord r = new FlowRecord();
    long now = System.currentTimeMillis() / 1000;
    r.flowType = FlowType.IPFIX;
    r.exporterAddr[10] = (byte) 0xff;
    r.exporterAddr[11] = (byte) 0xff;
    r.exporterAddr[12] = 127;
    r.exporterAddr[15] = 1;
    r.exporterName = "bench";
    r.site = "lab";
    r.samplingRate = 1;
    r.samplingRateSource = SamplingRateSource.CONFIGURED;
    for (int i = 0; i < rows; i++) {
      r.time = now - (rows - i) / 100_000;
      r.flowStartMs = r.time * 1000 - 5000;
      r.flowEndMs = r.time * 1000;
      r.receivedNs = r.time * 1_000_000_000L;
      r.inIf = random.nextInt(interfaces);
      r.outIf = random.nextInt(interfaces);
      r.direction = 0;
      v4(r.srcAddr, 0x0a000000 | random.nextInt(1 << 16));
      v4(r.dstAddr, 0xc0a80000 | random.nextInt(1 << 16));
      r.srcPort = random.nextInt(65536);
      r.dstPort = random.nextBoolean() ? 443 : random.nextInt(65536);
      r.protocol = random.nextBoolean() ? 6 : 17;
      r.tcpFlags = random.nextInt(64);
      r.srcAs = random.nextInt(asNumbers);
      r.dstAs = random.nextInt(asNumbers);
      r.srcMask = 24;
      r.dstMask = 24;
      v4(r.nextHop, 0x0a0000fe);
      r.sampledPackets = 1 + random.nextInt(100);
      r.sampledBytes = r.sampledPackets * (64 + random.nextInt(1400));
      r.estPackets = r.sampledPackets;
      r.estBytes = r.sampledBytes;
      encoder.encode(r, out);
      out.uint64(EPOCH | (i / CHUNK_ROWS)); // ingest_batch, as the sink writer tags it
      if ((i + 1) % INSERT_ROWS == 0 || i == rows - 1) {
        inserts.add(java.util.Arrays.copyOf(out.array(), out.size()));
        out.clear();
      }
    }
    return inserts;
  }

  private static void v4(byte[] addr, int v) {
    addr[10] = (byte) 0xff;
    addr[11] = (byte) 0xff;
    addr[12] = (byte) (v >>> 24);
    addr[13] = (byte) (v >>> 16);
    addr[14] = (byte) (v >>> 8);
    addr[15] = (byte) v;
  }
}
