package io.sluice.store.views.bench;

import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.chdb.Chdb;
import io.sluice.store.schema.Migrator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the {@code flow_processes} view (sql/024) costs a query, on realistic sizes: a day of connections (the
 * loaders' rows, 50 nodes, 200 commands) and an hour of router flows of which one in five belongs to one of those
 * connections, half of them in each direction. Generated in SQL (INSERT ... SELECT FROM numbers), so the same data
 * lands on either version. Each query runs once to warm up, then {@code rounds} times: wall time (median) and the
 * server's CPU (for a server over HTTP: /proc/PID/stat of the PID given; in-process chDB: this process). BENCHMARKS.md,
 * "Flows joined to processes", has the command and the numbers.
 *
 * <p>args: chdb | ClickHouse HTTP URL, connections (default 1,000,000), flows (default 5,000,000), rounds (default 3),
 * server PID (HTTP only, for its CPU)
 */
public final class FlowProcessesBench {
  private static final long HOUR = 3600;

  public static void main(String[] args) throws Exception {
    boolean chdb = args[0].equals("chdb");
    long connections = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    long flows = args.length > 2 ? Long.parseLong(args[2]) : 5_000_000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    String pid = args.length > 4 ? args[4] : null;
    ClickHouseSql server = chdb ? Chdb.clickHouse() : new ClickHouseHttp(args[0], null);
    String database = "flowproc_bench";
    server.execute("DROP DATABASE IF EXISTS " + database);
    new Migrator(server, database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    ClickHouseSql db = server.withDatabase(database);
    long t0 = (System.currentTimeMillis() / 1000 / HOUR - 2) * HOUR; // two whole hours ago: the flows' hour
    long dayStart = t0 - 23 * HOUR;
    long started = System.nanoTime();
    // Connection i: node i % 50, an ephemeral port, to a server on 443; opened evenly over the day, 2 s long, one row
    // (a lifetime shorter than a slice is one row).
    String open = "(" + dayStart + " + intDiv(i * 86400, " + connections + "))";
    db.execute("INSERT INTO connections (time, slice_start_ns, slice_end_ns, final, node, pid, comm, transport, local_addr,"
        + " local_port, remote_addr, remote_port, direction, open_ns, close_ns, bytes_out, bytes_in) SELECT toDateTime(" + open
        + " + 2), " + open + " * 1000000000, (" + open + " + 2) * 1000000000, 1, concat('node', toString(i % 50)), toUInt32(i % 5000 + 1),"
        + " concat('cmd', toString(i % 200)), 'tcp', " + local("i") + ", " + port("i") + ", " + remote("i") + ", 443, 'connect', " + open
        + " * 1000000000, (" + open + " + 2) * 1000000000, 1000, 20000 FROM (SELECT number AS i FROM system.numbers LIMIT "
        + connections + ")");
    // Flow j: one in five is connection k's, the k of the flows' hour, out (j even) or its answer; the rest strangers.
    long firstOfHour = connections * 23 / 24;
    long perHour = connections / 24;
    String k = "(" + firstOfHour + " + intDiv(j, 5) % " + perHour + ")";
    String kOpen = "(" + dayStart + " + intDiv(" + k + " * 86400, " + connections + "))";
    String stranger = "toFixedString(IPv6StringToNum(concat('::ffff:172.16.', toString(j % 256), '.', toString(intDiv(j, 256) % 256))), 16)";
    String matching = "j % 5 = 0";
    String out = "intDiv(j, 5) % 2 = 0";
    db.execute("INSERT INTO flows (time, flow_start_ms, flow_end_ms, flow_type, exporter_name, src_addr, dst_addr, src_port,"
        + " dst_port, protocol, sampled_bytes, sampled_packets, sampling_rate, est_bytes, est_packets) SELECT toDateTime(t),"
        + " t * 1000, t * 1000 + 1500, 'ipfix', concat('router', toString(j % 4)), if(" + matching + ", if(" + out + ", " + local(k) + ", "
        + remote(k) + "), " + stranger + "), if(" + matching + ", if(" + out + ", " + remote(k) + ", " + local(k) + "), " + remote("j") + "), if(" + matching + ", if(" + out + ", " + port(k) + ", 443), toUInt16(1024 + j % 60000)),"
        + " if(" + matching + ", if(" + out + ", 443, " + port(k) + "), 443), 6, 1500, 1, 1, 1500, 1"
        + " FROM (SELECT j, if(" + matching + ", " + kOpen + ", " + t0 + " + intDiv(j * 3600, " + flows + ")) AS t"
        + " FROM (SELECT number AS j FROM system.numbers LIMIT " + flows + "))");
    System.out.printf("ClickHouse %s: %s connections rows, %s flows rows, generated in %.1f s%n", db.scalar("SELECT version()"),
        db.scalar("SELECT count() FROM connections"), db.scalar("SELECT count() FROM flows"), (System.nanoTime() - started) / 1e9);

    String range = "time >= toDateTime(" + t0 + ") AND time < toDateTime(" + (t0 + HOUR) + ")";
    measure(db, chdb, pid, rounds, "flows of the hour by exporter (no join, the baseline)",
        "SELECT exporter_name, sum(est_bytes) FROM flows WHERE " + range + " GROUP BY exporter_name");
    measure(db, chdb, pid, rounds, "the view: the hour's flows by process (Grafana panel)",
        "SELECT comm, node, sum(est_bytes) AS b, count() FROM flow_processes WHERE " + range
            + " GROUP BY comm, node ORDER BY b DESC LIMIT 20");
    measure(db, chdb, pid, rounds, "the view: matched rows of the hour",
        "SELECT count() FROM flow_processes WHERE " + range);
    measure(db, chdb, pid, rounds, "the view: matched rows of the hour, by side",
        "SELECT side, count() FROM flow_processes WHERE " + range + " GROUP BY side ORDER BY side");
  }

  /** Connection i's own end: node i % 50's address 10.(i % 50).(i / 50 % 256).(i / 12800 % 250 + 1). */
  private static String local(String i) {
    return "toFixedString(IPv6StringToNum(concat('::ffff:10.', toString(" + i + " % 50), '.', toString(intDiv(" + i + ", 50) % 256),"
        + " '.', toString(intDiv(" + i + ", 12800) % 250 + 1))), 16)";
  }

  /** One of 50,000 servers. */
  private static String remote(String i) {
    return "toFixedString(IPv6StringToNum(concat('::ffff:198.51.', toString(" + i + " % 200), '.', toString(intDiv(" + i
        + ", 200) % 250))), 16)";
  }

  /** An ephemeral port. */
  private static String port(String i) {
    return "toUInt16(32768 + intDiv(" + i + ", 7) % 28000)";
  }

  private static void measure(ClickHouseSql db, boolean chdb, String pid, int rounds, String what, String sql) throws Exception {
    String answer = db.execute(sql);
    List<Double> wall = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      double cpu0 = cpuSeconds(chdb, pid);
      long start = System.nanoTime();
      String again = db.execute(sql);
      if (!again.equals(answer)) {
        System.out.printf("  round %d answered differently from the warm-up: %s%n", r + 1,
            String.join("; ", again.lines().limit(2).toList()));
      }
      wall.add((System.nanoTime() - start) / 1e9);
      cpu.add(cpuSeconds(chdb, pid) - cpu0);
    }
    Collections.sort(wall);
    Collections.sort(cpu);
    String first = String.join("; ", answer.lines().limit(2).toList());
    System.out.printf("%-55s wall %.3f s (median of %d), CPU %.3f s; first row: %s%n", what, wall.get(rounds / 2), rounds,
        cpu.get(rounds / 2), first.length() > 60 ? first.substring(0, 60) : first);
  }

  /** CPU seconds of the process doing the query's work; NaN when there is none to read. */
  private static double cpuSeconds(boolean chdb, String pid) throws Exception {
    if (chdb) {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }
    if (pid == null) {
      return Double.NaN;
    }
    String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll("^.*\\) ", "").split(" ");
    return (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / 100.0; // utime + stime in clock ticks (USER_HZ 100)
  }
}
