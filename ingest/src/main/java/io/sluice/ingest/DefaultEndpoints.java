package io.sluice.ingest;

/**
 * Where Sluice's parts find Kafka, ClickHouse and Flink, and serve their metrics, when nothing else is configured: the local stack that
 * {@code sluice up} starts on the loopback address. Every command option, job argument and agent setting defaults
 * to these (the stack launcher, which depends on no other module, repeats the ports; a test keeps them equal).
 */
public final class DefaultEndpoints {
  public static final String HOST = "127.0.0.1";
  public static final int KAFKA_PORT = 9092;
  public static final int KAFKA_CONTROLLER_PORT = 9093;
  public static final int CLICKHOUSE_HTTP_PORT = 8123;
  public static final int CLICKHOUSE_TCP_PORT = 9000;
  public static final int FLINK_REST_PORT = 8081;
  public static final int FLINK_RPC_PORT = 6123;
  /** Prometheus {@code /metrics} of {@code sluice collect} and of {@code sluice capture} (the eBPF loader), on HOST. */
  public static final int COLLECTOR_METRICS_PORT = 9464;
  public static final int LOADER_METRICS_PORT = 9465;

  /** Kafka bootstrap servers. */
  public static final String KAFKA = HOST + ":" + KAFKA_PORT;
  /** ClickHouse HTTP interface. */
  public static final String CLICKHOUSE = "http://" + HOST + ":" + CLICKHOUSE_HTTP_PORT;
  /** Flink REST API. */
  public static final String FLINK = "http://" + HOST + ":" + FLINK_REST_PORT;

  private DefaultEndpoints() {}
}
