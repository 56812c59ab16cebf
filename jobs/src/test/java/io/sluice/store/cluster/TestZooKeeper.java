package io.sluice.store.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;

/** A standalone ZooKeeper inside the test JVM, on a free loopback port, for ClickHouse replication and ON CLUSTER. */
final class TestZooKeeper implements AutoCloseable {
  private final ZooKeeperServer server;
  private final ServerCnxnFactory connections;
  private final Path dir;

  TestZooKeeper() throws IOException, InterruptedException {
    dir = Files.createTempDirectory("sluice-zk-");
    server = new ZooKeeperServer(dir.toFile(), dir.toFile(), 2000);
    connections = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 200);
    connections.startup(server);
  }

  int port() {
    return connections.getLocalPort();
  }

  @Override
  public void close() {
    connections.shutdown();
    server.shutdown();
    io.sluice.stack.TestStack.deleteTree(dir);
  }
}
