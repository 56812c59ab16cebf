package io.sluice.cli.stack;

import io.sluice.cli.SluiceHome;
import io.sluice.ingest.DefaultEndpoints;
import io.sluice.stack.StackSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the local stack lives and its ports; shared by up, down, status and the commands that use the stack. */
public final class StackOptions {
  @Option(names = "--work-dir", paramLabel = "DIR", description = "Data, logs and pid files (default: .sluice/ in the checkout).")
  Path workDir;

  @Option(names = "--clickhouse-http-port", paramLabel = "PORT", defaultValue = "" + DefaultEndpoints.CLICKHOUSE_HTTP_PORT, description = "Default: ${DEFAULT-VALUE}.")
  int clickhouseHttpPort;

  @Option(names = "--clickhouse-tcp-port", paramLabel = "PORT", defaultValue = "" + DefaultEndpoints.CLICKHOUSE_TCP_PORT, description = "Default: ${DEFAULT-VALUE}.")
  int clickhouseTcpPort;

  @Option(names = "--kafka-port", paramLabel = "PORT", defaultValue = "" + DefaultEndpoints.KAFKA_PORT, description = "Default: ${DEFAULT-VALUE}.")
  int kafkaPort;

  @Option(names = "--kafka-controller-port", paramLabel = "PORT", defaultValue = "" + DefaultEndpoints.KAFKA_CONTROLLER_PORT, description = "Default: ${DEFAULT-VALUE}.")
  int kafkaControllerPort;

  @Option(names = "--flink-rest-port", paramLabel = "PORT", defaultValue = "" + DefaultEndpoints.FLINK_REST_PORT, description = "Flink REST API and web UI. Default: ${DEFAULT-VALUE}.")
  int flinkRestPort;

  @Option(names = "--flink-rpc-port", paramLabel = "PORT", defaultValue = "" + DefaultEndpoints.FLINK_RPC_PORT, description = "Default: ${DEFAULT-VALUE}.")
  int flinkRpcPort;

  public StackSettings settings() {
    Path home = SluiceHome.find();
    StackSettings settings = StackSettings.defaults(home)
        .withPorts(clickhouseHttpPort, clickhouseTcpPort, kafkaPort, kafkaControllerPort, flinkRestPort, flinkRpcPort);
    return workDir == null ? settings : settings.withWorkDir(workDir.toAbsolutePath());
  }
}
