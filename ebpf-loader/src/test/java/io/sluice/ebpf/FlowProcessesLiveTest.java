package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.ingest.Topics;
import io.sluice.ingest.collect.Collector;
import io.sluice.ingest.collect.CollectorConfig;
import io.sluice.ingest.collect.ListenerKind;
import io.sluice.ingest.collect.Metrics;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.jobs.conn.ConnectionsJob;
import io.sluice.jobs.flow.FlowJob;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.Migrator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Router flows joined to the processes behind them (sql/024, {@code flow_processes}) on the real kernel. A Python
 * client in the lab's child cgroup (client namespace) opens three TCP connections to a Python server (server
 * namespace) and sends UDP datagrams to its port 53 (the loader announces UDP senders to its ports only), while the loader watches the sockets and softflowd, the "router", watches
 * the same packets on the server's end of the veth and exports them as IPFIX over a second veth to a real
 * {@link Collector} in this namespace. Then the FlowJob and the ConnectionsJob (local Flink, bounded) land both into a
 * real ClickHouse. Every flows row softflowd made of the client's traffic, each direction its own record, must name
 * the client's pid, comm and cgroup at the client's end, and the server's process at the server's end of the TCP
 * ones. Over 60 s: it took 168 s and 206 s with five other agents building beside it (load average about 40 on
 * 2 cores); it starts Kafka and ClickHouse, the loader, softflowd and a collector, and then runs two bounded jobs.
 */
class FlowProcessesLiveTest {
  static final List<Integer> TCP_PORTS = List.of(47200, 47201, 47202);
  static final int UDP_PORT = 47253;

  static final String SERVER = """
      import os, socket, sys, threading
      host = sys.argv[1]
      def serve(c):
          while c.recv(65536):
              pass
          c.sendall(b'ok' * 1000)
          c.close()
      l = socket.socket()
      l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      l.bind((host, 7100))
      l.listen(16)
      u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      u.bind((host, 53))
      threading.Thread(target=lambda: [u.recv(65536) for _ in iter(int, 1)], daemon=True).start()
      print('ready', os.getpid(), open('/proc/self/comm').read().strip(), flush=True)
      while True:
          c, _ = l.accept()
          threading.Thread(target=serve, args=(c,), daemon=True).start()
      """;

  static final String CLIENT = """
      import os, socket, sys, time
      server = sys.argv[1]
      print(os.getpid(), open('/proc/self/comm').read().strip(), flush=True)
      for port in (%s):
          s = socket.socket()
          s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
          s.bind(('', port))
          s.connect((server, 7100))
          s.sendall(b'a' * 30000)
          s.shutdown(socket.SHUT_WR)
          while s.recv(65536):
              pass
          s.close()
      u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      u.bind(('', %d))
      for i in range(5):
          u.sendto(b'x' * 200, (server, 53))
      u.close()
      print('done', flush=True)
      """.formatted(TCP_PORTS.stream().map(String::valueOf).collect(Collectors.joining(", ")), UDP_PORT);

  @BeforeAll
  static void kernelHasBpf() {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
  }

  @Test
  void everyFlowOfTheClientsTrafficNamesItsProcessAtEachEnd() throws Exception {
    assertTrue(Files.isExecutable(Path.of("/usr/sbin/softflowd")), "softflowd is missing: scripts/prereqs.sh installs it");
    String prefix = "fp" + UUID.randomUUID().toString().substring(0, 8) + ".";
    TestKafka.createTopics(prefix);
    var settings = TestStack.settings();
    ClickHouseService clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    Path state = Files.createTempDirectory("sluice-ebpf-state-");
    try (NetLab lab = new NetLab()) {
      String database = "flowproc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      new Migrator(new ClickHouseHttp(settings.clickhouseUrl(), null), database, TestStack.repoRoot().resolve("sql"),
          line -> {}).migrate();
      // The export path: a second veth from the server namespace to this one, softflowd's side the exporter.
      String collectorIp = "10.201." + lab.subnet + ".1";
      String exporterIp = "10.201." + lab.subnet + ".2";
      String rootVeth = "slvr" + lab.id;
      NetLab.sh("ip link add " + rootVeth + " type veth peer name slvx" + lab.id + " netns " + lab.server
          + " && ip addr add " + collectorIp + "/30 dev " + rootVeth + " && ip link set " + rootVeth + " up"
          + " && ip -n " + lab.server + " addr add " + exporterIp + "/30 dev slvx" + lab.id
          + " && ip -n " + lab.server + " link set slvx" + lab.id + " up");
      new SourcesTopic(TestKafka.bootstrap(), prefix + Topics.SOURCES).put(Sources.build(
          new Sources.Request(exporterIp, "softflowd", 1, false, "lab", List.of(), null), System.currentTimeMillis() * 1_000_000L));
      Files.writeString(lab.dir.resolve("server.py"), SERVER);
      Files.writeString(lab.dir.resolve("client.py"), CLIENT);
      LoaderConfig config = LoaderConfig.defaults().withNetns(lab.client).withKafka(TestKafka.bootstrap())
          .withTopicPrefix(prefix).withMetricsPort(null).withStateDir(state);
      String[] client;
      String[] server;
      try (Collector collector = Collector.start(CollectorConfig.defaults().bind(collectorIp)
              .port(ListenerKind.SFLOW, 0).port(ListenerKind.NETFLOW, 0).port(ListenerKind.IPFIX, 0).sockets(1)
              .kafka(TestKafka.bootstrap()).topics(prefix + Topics.FLOWS_RAW, prefix + Topics.SOURCES)
              .collectorId("test-" + prefix).metrics("127.0.0.1", 0).log(line -> {}));
          Loader loader = Loader.start(config, null)) {
        Path ctl = lab.dir.resolve("softflowd.ctl");
        Process softflowd = lab.daemon(lab.server, "/usr/sbin/softflowd -d -i " + lab.serverVeth + " -n " + collectorIp + ":"
            + collector.port(ListenerKind.IPFIX) + " -v 10 -C 128 -B 65536 -c " + ctl + " -p " + lab.dir.resolve("softflowd.pid"), "softflowd.log");
        lab.daemon(lab.server, "/usr/bin/python3 " + lab.dir.resolve("server.py") + " " + lab.serverIp, "server.log");
        CaptureTest.waitFor(() -> lab.log("server.log").contains("ready") && Files.exists(ctl), 60_000);
        assertTrue(lab.log("server.log").contains("ready"), () -> "server: " + lab.log("server.log"));
        assertTrue(Files.exists(ctl), () -> "softflowd: " + lab.log("softflowd.log"));
        server = lab.log("server.log").trim().split("\\s+");
        client = NetLab.run(List.of("sh", "-c", "echo $$ > " + lab.cgroup.resolve("cgroup.procs")
            + " && exec ip netns exec " + lab.client + " /usr/bin/python3 " + lab.dir.resolve("client.py") + " "
            + lab.serverIp), 60).trim().split("\n");
        assertEquals("done", client[client.length - 1].trim(), String.join("\n", client));
        Thread.sleep(1500);  // the loader's last events drained and sent
        // softflowd's libpcap hands packets over a buffer block at a time, with no timeout: 500 pings of 1 KB (ICMP,
        // not the client's ports) fill the small blocks that -C 128 -B 65536 make, so the client's packets reach it.
        // Then it exports every flow it holds when told to shut down.
        // Every packet libpcap had queued before the flood (the client's) is handled once softflowd has processed
        // or dropped that many: libpcap hands them over in order, ahead of the pings.
        long queuedBefore = softflowdStat(lab, ctl, "Packets received by libpcap");
        lab.exec(lab.server, false, "ping -q -f -s 1000 -c 500 " + lab.clientIp);
        CaptureTest.waitFor(() -> softflowdStat(lab, ctl, "Packets processed")
            + softflowdStat(lab, ctl, "Packets dropped by libpcap") >= queuedBefore, 60_000);
        assertTrue(softflowdStat(lab, ctl, "Packets processed") + softflowdStat(lab, ctl, "Packets dropped by libpcap")
            >= queuedBefore, () -> "softflowd never handled the client's packets: " + NetLab.run(List.of("ip", "netns",
            "exec", lab.server, "softflowctl", "-c", ctl.toString(), "statistics"), 10));
        NetLab.run(List.of("ip", "netns", "exec", lab.server, "softflowctl", "-c", ctl.toString(), "shutdown"), 10);
        // softflowd exits once it has sent every flow it held: only then may the collector's count settle.
        assertTrue(softflowd.waitFor(60, java.util.concurrent.TimeUnit.SECONDS),
            () -> "softflowd did not exit after shutdown: " + lab.log("softflowd.log"));
        double[] last = {-1};
        CaptureTest.waitFor(() -> {
          String m;
          try {
            m = Metrics.scrape(collector.metricsPort());
          } catch (Exception e) {
            return false;
          }
          double received = Metrics.value(m, "sluice_collector_datagrams_received_total");
          double forwarded = Metrics.value(m, "sluice_collector_datagrams_forwarded_total");
          boolean settled = received > 0 && forwarded == received && received == last[0];
          last[0] = received;
          return settled;
        }, 60_000);
        assertTrue(last[0] > 0, () -> "softflowd exported nothing: " + lab.log("softflowd.log"));
      }

      Map<String, String> common = Map.of("kafka", TestKafka.bootstrap(), "clickhouse", settings.clickhouseUrl(), "database",
          database, "checkpoint-ms", "500", "bounded", "true", "topic-prefix", prefix, "group", "test-" + prefix);
      StreamExecutionEnvironment flowsEnv = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
      FlowJob.build(flowsEnv, common);
      flowsEnv.execute("flow-processes-live-test-flows");
      StreamExecutionEnvironment connectionsEnv = StreamExecutionEnvironment.createLocalEnvironment(2, new Configuration());
      ConnectionsJob.build(connectionsEnv, common);
      connectionsEnv.execute("flow-processes-live-test-connections");

      ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), database);
      String clientAddr = "reinterpretAsFixedString(IPv6StringToNum('::ffff:" + lab.clientIp + "'))";
      String clientPorts = TCP_PORTS.stream().map(String::valueOf).collect(Collectors.joining(", ")) + ", " + UDP_PORT;
      // The client's traffic as softflowd exported it: a record per direction and flow.
      List<List<String>> flows = db.query("SELECT protocol, if(src_addr = " + clientAddr + ", src_port, dst_port) AS port,"
          + " if(src_addr = " + clientAddr + ", 'out', 'in') AS way, sampled_packets FROM flows WHERE flow_type = 'ipfix'"
          + " AND ((src_addr = " + clientAddr + " AND src_port IN (" + clientPorts + ")) OR (dst_addr = " + clientAddr
          + " AND dst_port IN (" + clientPorts + "))) ORDER BY port, way").rows();
      String flowsText = flows.stream().map(r -> String.join(" ", r)).collect(Collectors.joining("\n"));
      Set<String> ways = flows.stream().map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2)).collect(Collectors.toSet());
      for (int port : TCP_PORTS) {
        assertTrue(ways.containsAll(Set.of("6 " + port + " out", "6 " + port + " in")), "both directions of " + port + ":\n" + flowsText);
      }
      assertTrue(ways.contains("17 " + UDP_PORT + " out"), "the datagrams:\n" + flowsText);

      String pid = client[0].split(" ")[0];
      String comm = client[0].split(" ")[1];
      String cgroup = Long.toString(lab.cgroupId());
      // Each of those flows rows, joined: the process at the client's end, and at the server's end where the server
      // has a connection (TCP: accepted; the UDP receiver opens none).
      List<List<String>> joined = db.query("SELECT protocol, if(src_addr = " + clientAddr + ", src_port, dst_port) AS port,"
          + " if(src_addr = " + clientAddr + ", 'out', 'in') AS way, side, pid, comm, cgroup_id, node, connection_direction"
          + " FROM flow_processes WHERE flow_type = 'ipfix' AND ((src_addr = " + clientAddr + " AND src_port IN ("
          + clientPorts + ")) OR (dst_addr = " + clientAddr + " AND dst_port IN (" + clientPorts + ")))"
          + " ORDER BY port, way, side").rows();
      String joinedText = joined.stream().map(r -> String.join(" ", r)).collect(Collectors.joining("\n"));
      long expected = 0;
      for (List<String> f : flows) {
        boolean out = f.get(2).equals("out");
        String clientSide = out ? "src" : "dst";
        String serverSide = out ? "dst" : "src";
        String direction = f.get(0).equals("6") ? "connect" : "send";
        List<String> key = List.of(f.get(0), f.get(1), f.get(2));
        assertEquals(1, joined.stream().filter(j -> j.subList(0, 3).equals(key) && j.get(3).equals(clientSide)
                && j.equals(List.of(f.get(0), f.get(1), f.get(2), clientSide, pid, comm, cgroup, config.node(), direction)))
            .count(), "the client's process at the client's end of " + key + ":\n" + joinedText + "\nflows:\n" + flowsText);
        expected++;
        if (f.get(0).equals("6")) {
          assertEquals(1, joined.stream().filter(j -> j.subList(0, 3).equals(key) && j.get(3).equals(serverSide)
                  && j.get(4).equals(server[1]) && j.get(5).equals(server[2]) && j.get(8).equals("accept")).count(),
              "the server's process at the server's end of " + key + ":\n" + joinedText);
          expected++;
        }
      }
      assertEquals(expected, joined.size(), "no other match:\n" + joinedText);
      System.out.println("flow_processes live:\n" + joinedText);
    } finally {
      TestStack.stopAndDelete(settings, clickhouse);
      NetLab.sh("rm -rf " + state);
    }
  }

  /** A counter from `softflowctl statistics` ("Packets processed: 723"). */
  private static long softflowdStat(NetLab lab, Path ctl, String name) {
    String text = NetLab.run(List.of("ip", "netns", "exec", lab.server, "softflowctl", "-c", ctl.toString(), "statistics"), 10);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(name) + ": (\\d+)").matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no \"" + name + "\" in softflowctl statistics: " + text);
    }
    return Long.parseLong(m.group(1));
  }
}
