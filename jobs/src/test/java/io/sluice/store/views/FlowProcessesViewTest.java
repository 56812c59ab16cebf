package io.sluice.store.views;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.ClickHouseSql;
import io.sluice.store.TestClickHouse;
import io.sluice.store.schema.Migrator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@code flow_processes} view (sql/024) on Debian's ClickHouse 18.16: which flows rows it gives which process,
 * through the real migrations. Connections and flows are written as the jobs write them (IPv4 mapped into 16 bytes,
 * a connection's slices sharing its open_ns); {@link FlowProcessesViewOnClickHouse26Test} runs the same on 26.7.
 * The live path (loader, softflowd, both jobs) is ebpf-loader's FlowProcessesLiveTest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlowProcessesViewTest {
  /** An hour ago, whole seconds: on 26.7 the tables' TTLs drop rows older than 30 days at once. */
  static final long T0 = System.currentTimeMillis() / 1000 - 3600;
  private ClickHouseSql db;

  protected ClickHouseSql server() {
    return new ClickHouseHttp(TestClickHouse.url(), null);
  }

  @BeforeAll
  void fill() {
    String database = TestClickHouse.newDatabase("flowproc");
    new Migrator(server(), database, TestStack.repoRoot().resolve("sql"), line -> {}).migrate();
    db = server().withDatabase(database);
    // curl on n1 behind the router's source NAT (10.0.0.5:47000 out as 203.0.113.1:61000), two 3 s slices.
    connection(0, 0, 3, false, "n1", 42, "curl", "tcp", "10.0.0.5", 47000, "198.51.100.1", 443, "connect");
    connection(0, 3, 5, true, "n1", 42, "curl", "tcp", "10.0.0.5", 47000, "198.51.100.1", 443, "connect");
    // The same 5-tuple reused 200 s later by another process: only flows of that time are its.
    connection(200, 200, 201, true, "n1", 77, "wget", "tcp", "10.0.0.5", 47000, "198.51.100.1", 443, "connect");
    // nginx on n2 behind destination NAT (203.0.113.2:80 to 10.0.0.6:8080).
    connection(0, 0, 5, true, "n2", 7, "nginx", "tcp", "10.0.0.6", 8080, "192.0.2.9", 55000, "accept");
    // A UDP sender, and a connection between two watched nodes: each end names its own process.
    connection(0, 0, 5, true, "n1", 9, "dig", "udp", "10.0.0.5", 47053, "10.0.0.6", 53, "send");
    connection(0, 0, 5, true, "n1", 11, "psql", "tcp", "10.0.0.5", 47100, "10.0.0.6", 5432, "connect");
    connection(0, 0, 5, true, "n2", 12, "postgres", "tcp", "10.0.0.6", 5432, "10.0.0.5", 47100, "accept");

    flow(1, 4, 1, "10.0.0.5", 47000, "198.51.100.1", 443, 6, "203.0.113.1", 61000, "::", 0);         // curl, out
    flow(1, 4, 2, "198.51.100.1", 443, "203.0.113.1", 61000, 6, "::", 0, "10.0.0.5", 47000);         // curl, answer
    flow(201, 201, 3, "10.0.0.5", 47000, "198.51.100.1", 443, 6, "::", 0, "::", 0);                 // wget
    flow(100, 101, 4, "10.0.0.5", 47000, "198.51.100.1", 443, 6, "::", 0, "::", 0);                 // nobody then
    flow(1, 2, 5, "192.0.2.9", 55000, "203.0.113.2", 80, 6, "::", 0, "10.0.0.6", 8080);             // to nginx
    flow(1, 2, 6, "10.0.0.6", 8080, "192.0.2.9", 55000, 6, "203.0.113.2", 80, "::", 0);             // nginx answers
    flow(1, 1, 7, "10.0.0.5", 47053, "10.0.0.6", 53, 17, "::", 0, "::", 0);                         // dig
    flow(1, 1, 8, "10.0.0.6", 53, "10.0.0.5", 47053, 17, "::", 0, "::", 0);                         // dig's answer
    flow(1, 3, 9, "10.0.0.5", 47100, "10.0.0.6", 5432, 6, "::", 0, "::", 0);                        // psql <-> postgres
    flow(1, 3, 10, "10.0.0.5", 47000, "198.51.100.1", 443, 17, "::", 0, "::", 0);                   // UDP, not curl's TCP
    flow(1, 3, 11, "10.0.0.7", 47000, "198.51.100.1", 443, 6, "::", 0, "::", 0);                    // another host
  }

  @Test
  void eachFlowGetsTheProcessAtEachWatchedEnd() {
    assertEquals(List.of(
            List.of("1", "src", "0", "n1", "42", "curl", "connect"),
            List.of("2", "dst", "1", "n1", "42", "curl", "connect"),
            List.of("3", "src", "0", "n1", "77", "wget", "connect"),
            List.of("5", "dst", "1", "n2", "7", "nginx", "accept"),
            List.of("6", "src", "0", "n2", "7", "nginx", "accept"),
            List.of("7", "src", "0", "n1", "9", "dig", "send"),
            List.of("8", "dst", "0", "n1", "9", "dig", "send"),
            List.of("9", "dst", "0", "n2", "12", "postgres", "accept"),
            List.of("9", "src", "0", "n1", "11", "psql", "connect")),
        db.query("SELECT sampled_packets, side, nat, node, pid, comm, connection_direction FROM flow_processes"
            + " ORDER BY sampled_packets, side").rows());
  }

  @Test
  void theViewsTimeFilterKeepsItsOwnFlows() {
    assertEquals(List.of(List.of("3", "77", "wget")), db.query("SELECT sampled_packets, pid, comm FROM flow_processes"
        + " WHERE time >= toDateTime(" + (T0 + 100) + ")").rows());
  }

  private void connection(int opened, int from, int to, boolean last, String node, int pid, String comm, String transport,
      String local, int localPort, String remote, int remotePort, String direction) {
    long open = (T0 + opened) * 1_000_000_000L;
    db.execute("INSERT INTO connections (time, slice_start_ns, slice_end_ns, final, node, pid, comm, transport,"
        + " local_addr, local_port, remote_addr, remote_port, direction, open_ns, close_ns) SELECT toDateTime(" + (T0 + to)
        + "), " + (T0 + from) * 1_000_000_000L + ", " + (T0 + to) * 1_000_000_000L + ", " + (last ? 1 : 0) + ", '" + node
        + "', " + pid + ", '" + comm + "', '" + transport + "', " + addr(local) + ", " + localPort + ", " + addr(remote)
        + ", " + remotePort + ", '" + direction + "', " + open + ", " + (last ? (T0 + to) * 1_000_000_000L : 0));
  }

  /** A flow from second {@code from} to {@code to}; sampled_packets tells the rows apart. */
  private void flow(int from, int to, int id, String src, int srcPort, String dst, int dstPort, int protocol,
      String natSrc, int natSrcPort, String natDst, int natDstPort) {
    db.execute("INSERT INTO flows (time, flow_start_ms, flow_end_ms, src_addr, src_port, dst_addr, dst_port, protocol,"
        + " post_nat_src_addr, post_nat_src_port, post_nat_dst_addr, post_nat_dst_port, sampled_packets) SELECT toDateTime("
        + (T0 + from) + "), " + (T0 + from) * 1000 + ", " + (T0 + to) * 1000 + ", " + addr(src) + ", " + srcPort + ", "
        + addr(dst) + ", " + dstPort + ", " + protocol + ", " + addr(natSrc) + ", " + natSrcPort + ", " + addr(natDst) + ", "
        + natDstPort + ", " + id);
  }

  /** An address as the jobs store it: 16 bytes, IPv4 mapped; the column's type converts it on 26.7. */
  private static String addr(String ip) {
    String v6 = ip.contains(":") ? ip : "::ffff:" + ip;
    return "toFixedString(IPv6StringToNum('" + v6 + "'), 16)";
  }
}
