package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.ingest.KafkaConnection;
import io.sluice.ingest.Topics;
import io.sluice.ingest.collect.Collector;
import io.sluice.ingest.collect.CollectorConfig;
import io.sluice.ingest.collect.ListenerKind;
import io.sluice.ingest.collect.Metrics;
import io.sluice.ingest.collect.UdpPayloads;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.stack.KafkaService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.TestClickHouse;
import io.sluice.store.schema.Migrator;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real broker that takes only SCRAM-SHA-512 logins and authorises with ACLs (StandardAuthorizer, nothing allowed
 * by default), with users and ACLs as k8s/base/kafka-users.yaml gives them: the collector writes flows.raw and
 * reads sluice.sources, FlowJob reads both under its consumer groups. With their own credentials a collected NetFlow
 * datagram lands in ClickHouse; a wrong password, a user without ACLs, and no credentials are refused with an error
 * that says so. About 110 s here: its own broker, the refused clients' timeouts, a migration and three Flink runs.
 */
class KafkaAuthTest {
  private static final String COLLECTOR = "sluice-collector";
  private static final String FLOWS_JOB = "sluice-flows";
  private static final String INTRUDER = "someone";
  private static final String ADMIN_PASSWORD = "admin-" + Long.toHexString(System.nanoTime());

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static KafkaService kafka;
  private static StackSettings settings;
  private static String bootstrap;
  /** Migrated, so that a refused job fails on Kafka and not on a missing table. */
  private static String database;

  @TempDir Path tmp;

  @BeforeAll
  static void securedBroker() throws Exception {
    settings = TestStack.settings();
    kafka = TestStack.start(KafkaService.secured(settings, ADMIN_PASSWORD), 90_000);
    bootstrap = settings.kafkaBootstrap();
    try (Admin admin = Admin.create(connection(KafkaService.ADMIN, ADMIN_PASSWORD).clientMap())) {
      admin.createTopics(List.of(new NewTopic(Topics.FLOWS_RAW, 2, (short) 1),
          new NewTopic(Topics.SOURCES, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
          .all().get(30, TimeUnit.SECONDS);
      List<UserScramCredentialUpsertion> users = new ArrayList<>();
      for (String user : List.of(COLLECTOR, FLOWS_JOB, INTRUDER)) {
        users.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
            password(user)));
      }
      admin.alterUserScramCredentials(List.copyOf(users)).all().get(30, TimeUnit.SECONDS);
      admin.createAcls(List.of(
          allow(COLLECTOR, ResourceType.TOPIC, Topics.FLOWS_RAW, PatternType.LITERAL, AclOperation.WRITE),
          allow(COLLECTOR, ResourceType.TOPIC, Topics.SOURCES, PatternType.LITERAL, AclOperation.READ),
          allow(FLOWS_JOB, ResourceType.TOPIC, Topics.FLOWS_RAW, PatternType.LITERAL, AclOperation.READ),
          allow(FLOWS_JOB, ResourceType.TOPIC, Topics.SOURCES, PatternType.LITERAL, AclOperation.READ),
          allow(FLOWS_JOB, ResourceType.GROUP, "sluice-flows", PatternType.LITERAL, AclOperation.READ),
          allow(FLOWS_JOB, ResourceType.GROUP, "sluice-registry-", PatternType.PREFIXED, AclOperation.READ)))
          .all().get(30, TimeUnit.SECONDS);
    }
    database = TestClickHouse.newDatabase("kafkaauth");
    new Migrator(new ClickHouseHttp(TestClickHouse.url(), null), database, TestStack.repoRoot().resolve("sql"), line -> {})
        .migrate();
    new SourcesTopic(connection(KafkaService.ADMIN, ADMIN_PASSWORD), Topics.SOURCES).put(Sources.build(
        new Sources.Request("127.0.0.1", "edge", 1, false, "lab", List.of(), null), System.currentTimeMillis() * 1_000_000L));
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      TestStack.stopAndDelete(settings, kafka);
    }
  }

  private static String password(String user) {
    return user + "-pw-" + ADMIN_PASSWORD.hashCode();
  }

  private static KafkaConnection connection(String user, String password) {
    return KafkaConnection.of(bootstrap, null, Map.of("SLUICE_KAFKA_USER", user, "SLUICE_KAFKA_PASSWORD", password,
        "SLUICE_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"));
  }

  private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation op) {
    return new AclBinding(new ResourcePattern(type, name, pattern),
        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }

  private static CollectorConfig collector(KafkaConnection as) {
    return CollectorConfig.defaults().bind("127.0.0.1").port(ListenerKind.SFLOW, null).port(ListenerKind.NETFLOW, 0)
        .port(ListenerKind.IPFIX, null).sockets(1).receiveBuffer(1 << 20).kafka(as)
        .topics(Topics.FLOWS_RAW, Topics.SOURCES).collectorId("auth-test").metrics("127.0.0.1", 0)
        .sourcesLoadTimeoutMs(8_000).log(line -> {});
  }

  @Test
  void theCollectorAndFlowJobWithTheirOwnCredentialsLandFlows() throws Exception {
    byte[] v5 = UdpPayloads.read(FlowPipeline.FIXTURES.resolve("flows/goflow2/nfv5.pcap")).get(0).payload();
    JsonNode oracle = FlowPipeline.summary("goflow2__nfv5").path("netflow_ipfix");
    long perDatagram = oracle.path("data_records").asLong();
    int datagrams = 3;
    try (Collector c = Collector.start(collector(connection(COLLECTOR, password(COLLECTOR))));
        DatagramChannel sender = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
      assertEquals(1, c.sources().size(), "the collector read the registry as " + COLLECTOR);
      for (int i = 0; i < datagrams; i++) {
        sender.send(ByteBuffer.wrap(v5), new InetSocketAddress("127.0.0.1", c.port(ListenerKind.NETFLOW)));
      }
      assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> Metrics.value(Metrics.scrape(c.metricsPort()),
          "sluice_collector_datagrams_forwarded_total") >= datagrams) >= 0, "Kafka acknowledged the collector's datagrams");
    }

    runFlowJob(Map.of("kafka", bootstrap, "kafka-config", jobConfig(FLOWS_JOB, password(FLOWS_JOB)).toString(),
        "clickhouse", TestClickHouse.url(), "database", database, "bounded", "true", "checkpoint-ms", "300"));
    ClickHouseHttp db = new ClickHouseHttp(TestClickHouse.url(), database);
    assertEquals(datagrams * perDatagram, Long.parseLong(db.scalar("SELECT count() FROM flows WHERE exporter_name = 'edge'")));
  }

  @Test
  void aWrongPasswordIsRefusedAsAuthenticationFailure() throws Exception {
    String wrong = "not-" + password(COLLECTOR);
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> Collector.start(collector(connection(COLLECTOR, wrong))).close());
    assertTrue(e.getMessage().contains("Authentication failed") && e.getMessage().contains("user " + COLLECTOR)
        && !e.getMessage().contains(wrong), e.getMessage());

    Path config = jobConfig(FLOWS_JOB, "not-" + password(FLOWS_JOB));
    Exception job = assertThrows(Exception.class, () -> runFlowJob(Map.of("kafka", bootstrap, "kafka-config",
        config.toString(), "clickhouse", TestClickHouse.url(), "database", database, "bounded", "true")));
    assertTrue(chain(job).contains("Authentication failed"), chain(job));
  }

  @Test
  void aUserWithoutAclsIsRefusedAsNotAuthorized() {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> Collector.start(collector(connection(INTRUDER, password(INTRUDER)))).close());
    assertTrue(e.getMessage().contains("Not authorized") && e.getMessage().contains(Topics.SOURCES), e.getMessage());
  }

  @Test
  void aFlowJobWithAnotherComponentsUserIsRefused() throws Exception {
    Path config = jobConfig(COLLECTOR, password(COLLECTOR));
    Exception job = assertThrows(Exception.class, () -> runFlowJob(Map.of("kafka", bootstrap, "kafka-config",
        config.toString(), "clickhouse", TestClickHouse.url(), "database", database, "bounded", "true")));
    assertTrue(chain(job).contains("Not authorized"), chain(job));
  }

  /** A job's credentials as a deployment gives them: a client properties file named by kafka-config=. */
  private Path jobConfig(String user, String password) throws Exception {
    Path config = Files.createTempFile(tmp, user, ".properties");
    Files.writeString(config, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
        + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
        + "\" password=\"" + password + "\";\n");
    return config;
  }

  @Test
  void noCredentialsAreRefusedWithAHintToGiveThem() {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> Collector.start(collector(KafkaConnection.plaintext(bootstrap))).close());
    assertTrue(e.getMessage().contains("PLAINTEXT") && e.getMessage().contains("SLUICE_KAFKA_USER"), e.getMessage());
  }

  /** FlowJob in the MiniCluster with no restarts, so that a refused login fails the run instead of retrying it. */
  private static void runFlowJob(Map<String, String> args) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    FlowJob.build(env, args);
    env.execute("kafka-auth");
  }

  private static String chain(Throwable t) {
    StringBuilder s = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      s.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" <- ");
    }
    return s.toString();
  }
}
