package io.sluice.cli.sources;

import io.sluice.cli.UserError;
import io.sluice.cli.db.MigrateCommand;
import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.Topics;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.ingest.sources.SourcesTopicException;
import io.sluice.wire.FlowSource;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the registry lives: the Kafka topic (the truth) and its ClickHouse mirror. */
public final class RegistryOptions {
  @Option(names = "--kafka", paramLabel = "BOOTSTRAP", defaultValue = DefaultEndpoints.KAFKA,
      description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
  String kafka;

  @Option(names = "--clickhouse", paramLabel = "URL", defaultValue = DefaultEndpoints.CLICKHOUSE,
      description = "ClickHouse HTTP URL of the mirror. Default: ${DEFAULT-VALUE}.")
  String clickhouse;

  @Option(names = "--database", defaultValue = MigrateCommand.DEFAULT_DATABASE, description = "Default: ${DEFAULT-VALUE}.")
  String database;

  @Option(names = "--topic", defaultValue = Topics.SOURCES, hidden = true)
  String topic;

  private boolean reachable;

  SourcesTopic topic() {
    if (!reachable) {
      io.sluice.cli.KafkaReachable.check(kafka);
      reachable = true;
    }
    return new SourcesTopic(kafka, topic);
  }

  SourcesMirror mirror() {
    io.sluice.cli.BadArgument.httpUrl("--clickhouse", clickhouse);
    io.sluice.cli.BadArgument.database("--database", database);
    return new SourcesMirror(clickhouse, database);
  }

  /** The registry as Kafka has it now; malformed records are reported on stderr and skipped. */
  Map<String, FlowSource> read(java.io.PrintWriter err) {
    try {
      return topic().readAll(Duration.ofSeconds(30), problem -> err.println("warning: " + problem));
    } catch (SourcesTopicException e) {
      throw new UserError(e.getMessage() + hint(), e);
    }
  }

  String hint() {
    return kafka.equals(DefaultEndpoints.KAFKA) ? " (is the local stack up? `sluice status`)" : "";
  }
}
