package io.sluice.cli.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.ingest.DefaultEndpoints;
import io.sluice.stack.StackSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The stack launcher depends on no other module, so it repeats the default ports: they must stay those of
 * {@link DefaultEndpoints}, which every command, job and agent defaults to, and so must `sluice up`'s options.
 */
class DefaultEndpointsTest {
  @Test
  void theLocalStackListensWhereEveryoneLooks() {
    StackSettings stack = StackSettings.defaults(Path.of("."));
    assertEquals(DefaultEndpoints.KAFKA, stack.kafkaBootstrap());
    assertEquals(DefaultEndpoints.CLICKHOUSE, stack.clickhouseUrl());
    assertEquals(DefaultEndpoints.FLINK, stack.flinkUrl());
    assertEquals(DefaultEndpoints.CLICKHOUSE_TCP_PORT, stack.clickhouseTcpPort());
    assertEquals(DefaultEndpoints.KAFKA_CONTROLLER_PORT, stack.kafkaControllerPort());
    assertEquals(DefaultEndpoints.FLINK_RPC_PORT, stack.flinkRpcPort());
  }

  @Test
  void stackOptionsDefaultToTheSamePorts() {
    StackOptions options = new StackOptions();
    new CommandLine(new Holder(options)).parseArgs();
    StackSettings stack = StackSettings.defaults(Path.of("."));
    assertEquals(stack.withPorts(options.clickhouseHttpPort, options.clickhouseTcpPort, options.kafkaPort,
        options.kafkaControllerPort, options.flinkRestPort, options.flinkRpcPort), stack);
  }

  @CommandLine.Command(name = "holder")
  static final class Holder {
    @CommandLine.Mixin
    final StackOptions options;

    Holder(StackOptions options) {
      this.options = options;
    }
  }
}
