package io.sluice.ingest.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.stack.TestStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, item 9: the collector's registry through a Kafka outage (its own broker, stopped and started again). The
 * collector keeps the last registry and its exporters, /healthz fails once the registry is older than the limit
 * (the staleness is exported), and after the broker is back the watcher reads the registry again by itself: a source
 * registered then is in use without a restart, and /healthz passes again.
 *
 * <p>Slow (about 90 s): a broker stop and start, and the detection of the outage (a check every 5 s, 10 s
 * timeouts), which is what it tests.
 */
class CollectorRegistryOutageTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private int status(Collector c, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.metricsPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private String metrics(Collector c) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double sample(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ")) {
        return Double.parseDouble(line.substring(name.length() + 1).trim());
      }
    }
    throw new AssertionError("no " + name + " in\n" + metrics);
  }

  private static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(200);
    }
    return condition.getAsBoolean();
  }

  @Test
  void theLastRegistryStaysTheProbeFailsWhenStaleAndTheWatcherRecovers() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    try (KafkaFixture kafka = new KafkaFixture()) {
      String[] topics = kafka.newTopics();
      SourcesTopic registry = new SourcesTopic(kafka.bootstrap(), topics[1]);
      registry.put(Sources.build(new Sources.Request("10.1.0.1", "before", 1, false, "lab", List.of(), null), 1));
      Collector collector = Collector.start(CollectorConfig.defaults()
          .bind("127.0.0.1")
          .port(ListenerKind.SFLOW, 0).port(ListenerKind.NETFLOW, 0).port(ListenerKind.IPFIX, 0)
          .sockets(1)
          .kafka(kafka.bootstrap())
          .topics(topics[0], topics[1])
          .collectorId("outage")
          .metrics("127.0.0.1", 0)
          .sourcesMaxStaleMs(3_000)
          .log(log::add));
      try {
        assertEquals(1, collector.sources().size());
        assertEquals(200, status(collector, "/healthz"));

        kafka.kafka.stop();
        assertTrue(await(Duration.ofSeconds(60), () -> {
          try {
            return status(collector, "/healthz") == 503;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }), "/healthz fails once the registry is stale; log: " + log);
        String during = metrics(collector);
        assertTrue(sample(during, "sluice_collector_sources_staleness_seconds") >= 3, during);
        assertTrue(await(Duration.ofSeconds(30), () -> {
          try {
            return sample(metrics(collector), "sluice_collector_sources_errors_total") >= 1;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }), "the failed reads are counted");
        assertEquals(0, sample(during, "sluice_collector_sources_watcher_up"));
        assertEquals(1, collector.sources().size(), "the last registry stays in use");
        assertEquals(200, status(collector, "/metrics"), "metrics are still served");

        TestStack.start(kafka.kafka, 90_000);
        registry.put(Sources.build(new Sources.Request("10.1.0.2", "after", 1, false, "lab", List.of(), null), 2));
        assertTrue(await(Duration.ofSeconds(90), () -> collector.sources().size() == 2),
            "a source registered after the outage is read without a restart; log: " + log);
        assertTrue(await(Duration.ofSeconds(30), () -> {
          try {
            return status(collector, "/healthz") == 200;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        }), "/healthz passes again");
      } finally {
        collector.close();
      }
    }
  }
}
