package io.sluice.cli;

import io.sluice.ingest.DefaultEndpoints;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Asks the Kafka cluster for its nodes before a command starts producing or reading: with Kafka down, the clients
 * would otherwise retry for minutes (a replay took 841 s) while logging a warning per attempt.
 */
public final class KafkaReachable {
  public static final int TIMEOUT_SECONDS = 5;

  private KafkaReachable() {}

  /** Returns quietly when {@code bootstrap} answers within {@link #TIMEOUT_SECONDS}; else one clear UserError. */
  public static void check(String bootstrap) {
    Map<String, Object> config = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000,
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    Admin admin;
    try {
      admin = Admin.create(config);
    } catch (RuntimeException e) {
      throw new BadArgument("--kafka: " + e.getMessage() + " ('" + bootstrap + "')");
    }
    try {
      admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      throw new UserError("Kafka at " + bootstrap + " did not answer within " + TIMEOUT_SECONDS + " s"
          + (bootstrap.equals(DefaultEndpoints.KAFKA) ? " (is the local stack up? `sluice status`)" : ""));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError("interrupted", e);
    } finally {
      admin.close(java.time.Duration.ZERO);
    }
  }
}
