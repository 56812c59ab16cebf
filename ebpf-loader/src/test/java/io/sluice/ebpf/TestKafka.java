package io.sluice.ebpf;

import io.sluice.ingest.Topics;
import io.sluice.stack.KafkaService;
import io.sluice.stack.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** One real Kafka broker for this module's tests (as jobs' io.sluice.store.TestKafka), stopped at JVM exit. */
final class TestKafka {
  private static String bootstrap;

  private TestKafka() {}

  static synchronized String bootstrap() {
    if (bootstrap == null) {
      var settings = TestStack.settings();
      KafkaService broker = TestStack.start(new KafkaService(settings), 90_000);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> TestStack.stopAndDelete(settings, broker)));
      bootstrap = settings.kafkaBootstrap();
    }
    return bootstrap;
  }

  static void createTopics(String prefix) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      List<NewTopic> topics = new ArrayList<>();
      for (Topics.Spec spec : Topics.ALL) {
        topics.add(new NewTopic(prefix + spec.name(), spec.partitions(), (short) 1).configs(spec.config()));
      }
      admin.createTopics(topics).all().get();
    }
  }
}
