package io.sluice.stack;

import java.util.ArrayList;
import java.util.List;

/**
 * Several {@link ClickHouseService}s on loopback forming one sharded, replicated cluster for integration tests:
 * every node gets the same {@code remote_servers} entry, its own {@code {shard}}/{@code {replica}} macros
 * (replica names unique across the cluster, as the Altinity operator's host names are), the given ZooKeeper and
 * an interserver port of its own for replica fetches.
 */
public final class TestClickHouseCluster implements AutoCloseable {
  /** One server: its shard (0-based), replica within the shard, HTTP URL and native port. */
  public record Node(int shard, int replica, String url, int tcpPort, ClickHouseService service) {}

  private final String name;
  private final List<List<Node>> shards = new ArrayList<>();
  /** The nodes' settings, whose work directories close() deletes once the nodes are stopped. */
  private final List<StackSettings> nodeSettings = new ArrayList<>();

  private TestClickHouseCluster(String name) {
    this.name = name;
  }

  /**
   * Starts {@code replicasPerShard.length} shards, shard i with {@code replicasPerShard[i]} replicas, and waits
   * until every node answers; stops what it started if one fails.
   */
  public static TestClickHouseCluster start(String name, String zookeeperHost, int zookeeperPort, int... replicasPerShard) {
    TestClickHouseCluster cluster = new TestClickHouseCluster(name);
    List<List<StackSettings>> settings = new ArrayList<>();
    for (int replicas : replicasPerShard) {
      List<StackSettings> shard = new ArrayList<>();
      for (int r = 0; r < replicas; r++) {
        shard.add(TestStack.settings());
      }
      settings.add(shard);
    }
    String remoteServers = remoteServers(name, settings);
    try {
      List<ClickHouseService> started = new ArrayList<>();
      for (int s = 0; s < settings.size(); s++) {
        for (int r = 0; r < settings.get(s).size(); r++) {
          String extra = remoteServers + """
              <macros><shard>%02d</shard><replica>s%dr%d</replica></macros>
              <zookeeper><node><host>%s</host><port>%d</port></node></zookeeper>
              <interserver_http_host>127.0.0.1</interserver_http_host>
              <interserver_http_port>%d</interserver_http_port>
              <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
              """.formatted(s + 1, s + 1, r + 1, zookeeperHost, zookeeperPort, Ports.free());
          ClickHouseService service = new ClickHouseService(settings.get(s).get(r), extra);
          service.start();
          started.add(service);
        }
      }
      int i = 0;
      for (int s = 0; s < settings.size(); s++) {
        List<Node> nodes = new ArrayList<>();
        for (int r = 0; r < settings.get(s).size(); r++) {
          StackSettings node = settings.get(s).get(r);
          nodes.add(new Node(s, r, node.clickhouseUrl(), node.clickhouseTcpPort(), TestStack.start(started.get(i++), 60_000)));
        }
        cluster.shards.add(nodes);
      }
    } catch (RuntimeException e) {
      for (List<StackSettings> shard : settings) {
        shard.forEach(s -> TestStack.stopAndDelete(s, new ClickHouseService(s)));
      }
      throw e;
    }
    settings.forEach(cluster.nodeSettings::addAll);
    return cluster;
  }

  private static String remoteServers(String name, List<List<StackSettings>> shards) {
    StringBuilder xml = new StringBuilder("<remote_servers><").append(name).append(">\n");
    for (List<StackSettings> shard : shards) {
      xml.append("  <shard><internal_replication>true</internal_replication>\n");
      for (StackSettings node : shard) {
        xml.append("    <replica><host>127.0.0.1</host><port>").append(node.clickhouseTcpPort()).append("</port></replica>\n");
      }
      xml.append("  </shard>\n");
    }
    return xml.append("</").append(name).append("></remote_servers>\n").toString();
  }

  public String name() {
    return name;
  }

  /** Nodes by shard, then replica. */
  public List<List<Node>> shards() {
    return shards;
  }

  public List<Node> nodes() {
    return shards.stream().flatMap(List::stream).toList();
  }

  /** The first replica's URL of each shard: the sink's {@code clickhouse-shards} list. */
  public List<String> firstReplicaUrls() {
    return shards.stream().map(s -> s.get(0).url()).toList();
  }

  @Override
  public void close() {
    for (Node node : nodes()) {
      node.service().stop();
    }
    nodeSettings.forEach(s -> TestStack.deleteTree(s.workDir())); // every node stopped
  }
}
