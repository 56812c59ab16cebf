package io.sluice.stack;

import java.nio.file.Path;

/**
 * Where the local stack lives and which loopback ports it uses. Every service binds 127.0.0.1 only.
 *
 * @param repoRoot the Sluice checkout, whose stack/*&#47;target/lib folders hold the Kafka and Flink class paths
 * @param workDir data, logs, configs and pid files (default {@code .sluice/} in the checkout)
 */
public record StackSettings(
    Path repoRoot,
    Path workDir,
    int clickhouseHttpPort,
    int clickhouseTcpPort,
    int kafkaPort,
    int kafkaControllerPort,
    int flinkRestPort,
    int flinkRpcPort,
    int taskSlots) {

  public static StackSettings defaults(Path repoRoot) {
    return new StackSettings(repoRoot, repoRoot.resolve(".sluice"), 8123, 9000, 9092, 9093, 8081, 6123, 4);
  }

  public StackSettings withWorkDir(Path dir) {
    return new StackSettings(repoRoot, dir, clickhouseHttpPort, clickhouseTcpPort, kafkaPort, kafkaControllerPort,
        flinkRestPort, flinkRpcPort, taskSlots);
  }

  public StackSettings withPorts(int chHttp, int chTcp, int kafka, int kafkaController, int flinkRest, int flinkRpc) {
    return new StackSettings(repoRoot, workDir, chHttp, chTcp, kafka, kafkaController, flinkRest, flinkRpc, taskSlots);
  }

  public String clickhouseUrl() {
    return "http://127.0.0.1:" + clickhouseHttpPort;
  }

  public String kafkaBootstrap() {
    return "127.0.0.1:" + kafkaPort;
  }

  public String flinkUrl() {
    return "http://127.0.0.1:" + flinkRestPort;
  }
}
