package io.sluice.cli;

import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.KafkaConnection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Asks the Kafka cluster for its nodes before a command starts producing or reading: with Kafka down, the clients
 * would otherwise retry for minutes (a replay took 841 s) while logging a warning per attempt.
 */
public final class KafkaReachable {
  public static final int TIMEOUT_SECONDS = 5;

  private KafkaReachable() {}

  /**
   * Returns quietly when Kafka answers within {@link #TIMEOUT_SECONDS} and accepts the credentials; else one clear
   * UserError (refused credentials are named as such, not as a timeout).
   */
  public static void check(KafkaConnection kafka) {
    String bootstrap = kafka.toString();
    Map<String, Object> config = kafka.clientMap();
    config.putAll(Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
    Admin admin;
    try {
      admin = Admin.create(config);
    } catch (RuntimeException e) {
      throw new BadArgument("--kafka: " + e.getMessage() + " ('" + bootstrap + "')");
    }
    try {
      admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
        throw new UserError("Kafka at " + bootstrap + " refused the connection: " + e.getCause().getMessage());
      }
      throw notAnswering(kafka);
    } catch (TimeoutException e) {
      throw notAnswering(kafka);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("interrupted", e);
    } finally {
      admin.close(java.time.Duration.ZERO);
    }
  }

  private static UserError notAnswering(KafkaConnection kafka) {
    return new UserError("Kafka at " + kafka.bootstrap() + " did not answer within " + TIMEOUT_SECONDS + " s"
        + (kafka.bootstrap().equals(DefaultEndpoints.KAFKA) ? " (is the local stack up? `sluice status`)" : "")
        + kafka.silenceHint());
  }
}
