package io.sluice.store.sink;

import io.sluice.store.ClickHouseException;
import io.sluice.store.ClickHouseSql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The replicas of one shard, as the server the sink talks to sees them, and what runs on them. */
final class ShardReplicas {
  /** Socket timeout, connection refused, all connection tries failed. */
  private static final Set<Integer> UNREACHABLE = Set.of(209, 210, 279);

  private ShardReplicas() {}

  /**
   * host:tcp_port of every replica of a Replicated table, as each registered itself in ZooKeeper under the
   * table's path: independent of how remote_servers names the hosts.
   */
  static List<String> addresses(ClickHouseSql db, String replicatedTable) {
    int dot = replicatedTable.indexOf('.');
    String zkPath = db.scalar("SELECT zookeeper_path FROM system.replicas WHERE database = '"
        + replicatedTable.substring(0, dot) + "' AND table = '" + replicatedTable.substring(dot + 1) + "'");
    List<String> addresses = new ArrayList<>();
    for (List<String> replica : db.query("SELECT name FROM system.zookeeper WHERE path = '" + zkPath + "/replicas'").rows()) {
      String host = db.scalar("SELECT value FROM system.zookeeper WHERE path = '" + zkPath + "/replicas/" + replica.get(0)
          + "' AND name = 'host'");
      Map<String, String> fields = new HashMap<>();
      host.lines().forEach(line -> {
        int colon = line.indexOf(": ");
        if (colon > 0) {
          fields.put(line.substring(0, colon), line.substring(colon + 2).strip());
        }
      });
      addresses.add(fields.get("host") + ":" + fields.get("tcp_port"));
    }
    return addresses;
  }

  /**
   * How many queries matching {@code where} run on the replica, read through remote(); a replica this server
   * cannot reach is taken as down and running nothing.
   */
  static long processes(ClickHouseSql db, String replica, String where) {
    try {
      return Long.parseLong(db.scalar("SELECT count() FROM remote('" + replica + "', system.processes)" + where));
    } catch (ClickHouseException e) {
      if (UNREACHABLE.contains(e.code())) {
        return 0;
      }
      throw e;
    }
  }
}
