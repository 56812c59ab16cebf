package io.sluice.cli;

import io.sluice.ingest.KafkaConnection;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-config FILE}, shared by every command that talks to Kafka: the client's security settings
 * (security.protocol, sasl.*, ssl.*), with SLUICE_KAFKA_USER / SLUICE_KAFKA_PASSWORD / SLUICE_KAFKA_CA_FILE from the
 * environment on top ({@link KafkaConnection}). A bad file or setting is a {@link BadArgument}.
 */
public final class KafkaConfigOption {
  @Option(names = "--kafka-config", paramLabel = "FILE",
      description = "Kafka client properties with the security settings (security.protocol, sasl.*, ssl.*). "
          + "SLUICE_KAFKA_USER, SLUICE_KAFKA_PASSWORD and SLUICE_KAFKA_CA_FILE also apply. Default: $SLUICE_KAFKA_CONFIG.")
  Path file;

  /** {@code bootstrap} with these security settings. */
  public KafkaConnection connection(String bootstrap) {
    try {
      return KafkaConnection.of(bootstrap, file);
    } catch (IllegalArgumentException e) {
      throw new BadArgument("Kafka security settings: " + e.getMessage());
    }
  }
}
