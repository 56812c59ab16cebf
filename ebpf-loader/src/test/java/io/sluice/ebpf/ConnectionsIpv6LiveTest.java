package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.ebpf.AttachProbe.Kind;
import io.sluice.jobs.conn.ConnectionsJob;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.Migrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * IPv6 connections on the real kernel, with the socket programs the loader prefers (tp_btf) and with its fallback
 * (raw_tp, as on a kernel without tp_btf: no socket cookie, the loader's socket id instead). A Python client in the
 * lab's cgroup connects from ephemeral ports (as programs do: the kernel picks the port after the SYN_SENT event)
 * to ConnectionsLiveTest's server listening on IPv6 across the veth: 2 connections closed with FINs, 1 refused, 1
 * reset by the server. The ConnectionsJob writes them to a real ClickHouse: each client connection is one row with
 * its IPv6 addresses, ports, direction, states, end reason and process; the server's accepted sockets likewise.
 */
class ConnectionsIpv6LiveTest {
  static final String CLIENT = """
      import os, socket, sys, time
      server = sys.argv[1]
      print(os.getpid(), open('/proc/self/comm').read().strip(), flush=True)
      def sock():
          s = socket.socket(socket.AF_INET6)
          s.settimeout(10)
          return s
      for i in range(2):
          s = sock()
          s.connect((server, 7000))
          print('fin', s.getsockname()[1], flush=True)
          s.sendall(b'a' * 1000)
          s.shutdown(socket.SHUT_WR)
          while s.recv(65536):
              pass
          s.close()
      s = sock()
      try:
          s.connect((server, 7009))
      except ConnectionRefusedError:
          pass
      s.close()
      s = sock()
      s.bind(('::', 0))  # a port of its own, kept after the reset (printed before: a reset may end connect itself)
      print('rst', s.getsockname()[1], flush=True)
      try:
          # Under load the server's reset can arrive before connect returns: the kernel then reports it from connect.
          s.connect((server, 7002))
          s.recv(10)
      except ConnectionResetError:
          pass
      s.close()
      time.sleep(0.5)
      print('done', flush=True)
      """;

  @BeforeAll
  static void kernelHasBpf() {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
  }

  @Test
  void ipv6ConnectionsWithTracepointsOfBtf() throws Exception {
    connections(Set.of(), "tp_btf");
  }

  @Test
  void ipv6ConnectionsWithTheRawTracepointFallback() throws Exception {
    connections(Set.of(Kind.TP_BTF), "raw_tp");
  }

  private static void connections(Set<Kind> refused, String expectedChoice) throws Exception {
    String prefix = "c6" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    var settings = TestStack.settings();
    ClickHouseService clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    try (NetLab lab = new NetLab()) {
      String serverIp = "fd00:200:" + Integer.toHexString(lab.subnet) + "::1";
      String clientIp = "fd00:200:" + Integer.toHexString(lab.subnet) + "::2";
      NetLab.sh("ip -n " + lab.server + " addr add " + serverIp + "/64 dev " + lab.serverVeth + " nodad");
      NetLab.sh("ip -n " + lab.client + " addr add " + clientIp + "/64 dev " + lab.clientVeth + " nodad");
      String database = "conn6_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      new Migrator(new ClickHouseHttp(settings.clickhouseUrl(), null), database, TestStack.repoRoot().resolve("sql"),
          line -> {}).migrate();
      Files.writeString(lab.dir.resolve("server.py"), ConnectionsLiveTest.SERVER);
      Files.writeString(lab.dir.resolve("client.py"), CLIENT);
      lab.daemon(lab.server, "/usr/bin/python3 " + lab.dir.resolve("server.py") + " " + serverIp, "server.log");
      CaptureTest.waitFor(() -> lab.log("server.log").contains("ready"), 60_000);
      assertEquals(true, lab.log("server.log").contains("ready"), () -> "server: " + lab.log("server.log"));
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withKafka(TestKafka.bootstrap())
          .withTopicPrefix(prefix).withMetricsPort(null).withStateDir(state);
      String[] client;
      try (Loader loader = Loader.start(config, null, refused)) {
        assertEquals(expectedChoice, loader.choices().get("socket_state"), "attach choice: " + loader.choices());
        client = NetLab.run(List.of("sh", "-c", "echo $$ > " + lab.cgroup.resolve("cgroup.procs")
            + " && exec ip netns exec " + lab.client + " /usr/bin/python3 " + lab.dir.resolve("client.py") + " "
            + serverIp), 60).trim().split("\n");
        assertEquals("done", client[client.length - 1].trim(), String.join("\n", client));
        Thread.sleep(1500);  // the last events drained and sent
      }
      String pid = client[0].split(" ")[0];
      String comm = client[0].split(" ")[1];
      String fin1 = client[1].split(" ")[1];
      String fin2 = client[2].split(" ")[1];
      String rst = client[3].split(" ")[1];

      StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
      ConnectionsJob.build(env, Map.of("kafka", TestKafka.bootstrap(), "clickhouse", settings.clickhouseUrl(), "database",
          database, "checkpoint-ms", "500", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix));
      env.execute("connections-ipv6-live-test");

      ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), database);
      String columns = "IPv6NumToString(local_addr), local_port, IPv6NumToString(remote_addr), remote_port, transport,"
          + " direction, final, end_reason, arrayStringConcat(states, '>'), pid, comm, cgroup_id";
      String node = " WHERE node = '" + config.node() + "' AND ";
      List<String> clientRows = rows(db, "SELECT " + columns + " FROM connections" + node + "local_addr = "
          + "reinterpretAsFixedString(IPv6StringToNum('" + clientIp + "')) ORDER BY remote_port, local_port, seq");
      String process = pid + " " + comm + " " + lab.cgroupId();
      String fin = "SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>CLOSE";
      List<String> expected = new ArrayList<>(List.of(
          clientIp + " " + fin1 + " " + serverIp + " 7000 tcp connect 1 fin " + fin + " " + process,
          clientIp + " " + fin2 + " " + serverIp + " 7000 tcp connect 1 fin " + fin + " " + process));
      expected.sort(null);
      expected.add(clientIp + " " + rst + " " + serverIp + " 7002 tcp connect 1 rst SYN_SENT>ESTABLISHED>CLOSE " + process);
      List<String> all = rows(db, "SELECT " + columns + ", seq FROM connections ORDER BY local_addr, local_port, seq");
      assertEquals(4, clientRows.size(), () -> "one row per client connection:\n" + String.join("\n", all));
      List<String> tcpFromEphemeral = new ArrayList<>(clientRows.subList(0, 3));
      assertEquals(expected, sortedFins(tcpFromEphemeral), () -> String.join("\n", all));
      String refusedRow = clientRows.get(3);
      String refusedPort = refusedRow.split(" ")[1];
      assertEquals(clientIp + " " + refusedPort + " " + serverIp + " 7009 tcp connect 1 refused SYN_SENT>CLOSE "
          + process, refusedRow, () -> String.join("\n", all));
      assertEquals(true, Integer.parseInt(refusedPort) > 0, "the refused connect's port: " + refusedRow);

      List<String> serverRows = rows(db, "SELECT local_port, remote_port, direction, final, end_reason FROM connections"
          + node + "local_addr = reinterpretAsFixedString(IPv6StringToNum('" + serverIp + "'))"
          + " AND remote_addr = reinterpretAsFixedString(IPv6StringToNum('" + clientIp + "')) ORDER BY local_port, remote_port");
      List<String> accepted = new ArrayList<>(List.of("7000 " + fin1 + " accept 1 fin", "7000 " + fin2 + " accept 1 fin"));
      accepted.sort(null);
      accepted.add("7002 " + rst + " accept 1 rst_sent");
      assertEquals(accepted, sortedFins(serverRows), () -> String.join("\n", all));
      System.out.println("connections over IPv6 (" + expectedChoice + "):\n" + String.join("\n", all));
    } finally {
      TestStack.stopAndDelete(settings, clickhouse);
      NetLab.sh("rm -rf " + state);
    }
  }

  private static List<String> rows(ClickHouseHttp db, String sql) {
    return db.query(sql).rows().stream().map(r -> String.join(" ", r)).toList();
  }

  /** The first two rows (the FIN-closed connections, same remote port) in text order, then the rest as they are. */
  private static List<String> sortedFins(List<String> rows) {
    List<String> out = new ArrayList<>(rows.subList(0, 2));
    out.sort(null);
    out.addAll(rows.subList(2, rows.size()));
    return out;
  }
}
