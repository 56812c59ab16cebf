package io.sluice.cli.sources;

import io.sluice.cli.db.MigrateCommand;
import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.Topics;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.wire.FlowSource;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the registry lives: the Kafka topic (the truth) and its ClickHouse mirror. */
public final class RegistryOptions {
  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", defaultValue = DefaultEndpoints.KAFKA,
      description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
  String kafka;

  @picocli.CommandLine.Mixin
  io.sluice.cli.KafkaConfigOption kafkaConfig = new io.sluice.cli.KafkaConfigOption();

  @Option(names = "--clickhouse", paramLabel = "URL", defaultValue = DefaultEndpoints.CLICKHOUSE,
      description = "ClickHouse HTTP URL of the mirror. Default: ${DEFAULT-VALUE}.")
  String clickhouse;

  @Option(names = "--database", defaultValue = MigrateCommand.DEFAULT_DATABASE, description = "Default: ${DEFAULT-VALUE}.")
  String database;

  @Option(names = "--topic", defaultValue = Topics.SOURCES, hidden = true)
  String topic;

  private SourceRegistry registry;

  /** The registry these options name (one per command run). */
  SourceRegistry registry() {
    if (registry == null) {
      registry = new SourceRegistry(kafkaConfig.connection(kafka), clickhouse, database, topic);
    }
    return registry;
  }

  SourcesTopic topic() {
    return registry().topic();
  }

  SourcesMirror mirror() {
    return registry().mirror();
  }

  /** The registry as Kafka has it now; malformed records are reported on stderr and skipped. */
  Map<String, FlowSource> read(java.io.PrintWriter err) {
    return registry().read(err);
  }

  String hint() {
    return registry().hint();
  }
}
