package io.sluice.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * A single-node KRaft Kafka broker (combined broker and controller) in its own JVM. {@link #secured} gives one whose
 * client listener takes only SCRAM-SHA-512 logins (SASL_PLAINTEXT: loopback tests) and authorises every request
 * with StandardAuthorizer and no default access: only the super user {@link #ADMIN} may do anything until ACLs say
 * otherwise.
 */
public final class KafkaService implements Service {
  private static final String STARTED_MARKER = "Kafka Server started";
  /** The super user of a secured broker, created at format time. */
  public static final String ADMIN = "admin";

  private final StackSettings settings;
  private final Path dir;
  private final ManagedProcess process;
  private final String adminPassword;

  public KafkaService(StackSettings settings) {
    this(settings, null);
  }

  /** A broker that authenticates (SCRAM-SHA-512, user {@link #ADMIN} with {@code adminPassword}) and authorises (ACLs). */
  public static KafkaService secured(StackSettings settings, String adminPassword) {
    return new KafkaService(settings, adminPassword);
  }

  private KafkaService(StackSettings settings, String adminPassword) {
    this.adminPassword = adminPassword;
    this.settings = settings;
    this.dir = settings.workDir().toAbsolutePath().resolve("kafka");
    this.process = new ManagedProcess("kafka", settings.workDir().toAbsolutePath(), dir.resolve("log/stdout.log"));
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public void start() {
    if (process.isRunning()) {
      return;
    }
    Path lib = JavaCommand.libDir(settings, "kafka-broker");
    Ports.requireFree(settings.kafkaPort(), "Kafka", "--kafka-port");
    Ports.requireFree(settings.kafkaControllerPort(), "Kafka", "--kafka-controller-port");
    Path properties = dir.resolve("server.properties");
    try {
      Files.createDirectories(dir.resolve("data"));
      Files.createDirectories(dir.resolve("log"));
      Files.writeString(properties, serverProperties());
      Files.writeString(dir.resolve("log4j2.properties"), Log4jConfig.rollingFile(dir.resolve("log/server.log")));
      Files.deleteIfExists(logFile());
    } catch (IOException e) {
      throw new StackException("cannot write the Kafka config under " + dir + ": " + e.getMessage(), e);
    }
    if (!Files.exists(dir.resolve("data/meta.properties"))) {
      JavaCommand.runToCompletion(
          JavaCommand.command(List.of("-Xmx256m", "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties")),
              lib, "kafka.tools.StorageTool",
              format(properties)),
          60, "formatting the Kafka storage");
    }
    // The heap at its full size from the start: grown from 256 MiB, G1 kept a ~20 MiB young generation and ran a
    // young collection every few seconds and a marking cycle every few young ones under the flows bench's load.
    List<String> jvm = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
        "-Djava.awt.headless=true", "-Dkafka.logs.dir=" + dir.resolve("log"),
        "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
    process.start(JavaCommand.command(jvm, lib, "kafka.Kafka", List.of(properties.toString())), dir);
  }

  @Override
  public Health health() {
    if (!process.isRunning()) {
      return Health.down("not running");
    }
    if (!Ports.isListening(settings.kafkaPort())) {
      return Health.down("not listening on " + endpoint() + " yet");
    }
    try {
      if (Files.exists(logFile()) && Files.readString(logFile()).contains(STARTED_MARKER)) {
        return Health.up("KRaft broker+controller, node 1");
      }
    } catch (IOException e) {
      return Health.down("cannot read " + logFile());
    }
    return Health.down("listening, but the broker has not finished starting");
  }

  @Override
  public String endpoint() {
    return settings.kafkaBootstrap();
  }

  @Override
  public Path logFile() {
    return dir.resolve("log/server.log");
  }

  @Override
  public List<ManagedProcess> processes() {
    return List.of(process);
  }

  private List<String> format(Path properties) {
    List<String> args = new java.util.ArrayList<>(List.of("format", "--cluster-id=" + newClusterId(), "--config", properties.toString()));
    if (adminPassword != null) {
      args.addAll(List.of("--add-scram", "SCRAM-SHA-512=[name=" + ADMIN + ",password=" + adminPassword + "]"));
    }
    return args;
  }

  private String serverProperties() {
    String listener = adminPassword == null ? "PLAINTEXT" : "SASL_PLAINTEXT";
    String common = String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + settings.kafkaControllerPort(),
        "listeners=" + listener + "://127.0.0.1:" + settings.kafkaPort() + ",CONTROLLER://127.0.0.1:" + settings.kafkaControllerPort(),
        "advertised.listeners=" + listener + "://127.0.0.1:" + settings.kafkaPort(),
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=" + listener,
        "listener.security.protocol.map=" + listener + ":" + listener + ",CONTROLLER:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "num.partitions=4",
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.hours=24",
        "message.max.bytes=10485760",
        // One local node on a small machine: one network thread per listener and two request handlers (3 and 8 by
        // default) mean fewer threads woken per request; a no-op metadata record (written and fsynced) every 5 s
        // instead of every 500 ms, which was most of the idle broker's CPU after the JIT. BENCHMARKS.md, "Collectors".
        "num.network.threads=1",
        "num.io.threads=2",
        "metadata.max.idle.interval.ms=5000",
        "");
    return adminPassword == null ? common : common + String.join("\n",
        "sasl.enabled.mechanisms=SCRAM-SHA-512",
        "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512",
        "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule"
            + " required username=\"" + ADMIN + "\" password=\"" + adminPassword + "\";",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found=false",
        // The loopback controller listener has no SASL (KRaft cannot check SCRAM before it has read the metadata
        // holding the credentials), so the broker reaches its controller as ANONYMOUS, which must be a super user.
        "super.users=User:" + ADMIN + ";User:ANONYMOUS",
        "");
  }

  /** 16 random bytes, URL-safe base64, as Kafka's own ids; never starting with '-', which reads as an option. */
  static String newClusterId() {
    SecureRandom random = new SecureRandom();
    while (true) {
      byte[] uuid = new byte[16];
      random.nextBytes(uuid);
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(uuid);
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }
}
