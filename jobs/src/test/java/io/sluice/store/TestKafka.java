package io.sluice.store;

import io.sluice.ingest.Topics;
import io.sluice.stack.KafkaService;
import io.sluice.stack.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * One real Kafka broker (its own JVM) for all tests in this JVM, with Sluice's topics; stopped at JVM exit and its
 * directory deleted.
 */
public final class TestKafka {
  private static KafkaService broker;
  private static String bootstrap;

  private TestKafka() {}

  public static synchronized String bootstrap() {
    if (broker == null) {
      var settings = TestStack.settings();
      broker = TestStack.start(new KafkaService(settings), 90_000);
      bootstrap = settings.kafkaBootstrap();
      KafkaService started = broker;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> TestStack.stopAndDelete(settings, started)));
    }
    return bootstrap;
  }

  /** Creates Sluice's topics under a prefix of this test's own, so tests never see each other's records. */
  public static void createTopics(String prefix) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> topics = new ArrayList<>();
      for (Topics.Spec spec : Topics.ALL) {
        if (!existing.contains(prefix + spec.name())) {
          topics.add(new NewTopic(prefix + spec.name(), spec.partitions(), (short) 1).configs(spec.config()));
        }
      }
      admin.createTopics(topics).all().get();
    }
  }
}
