package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.ingest.Topics;
import io.sluice.jobs.KafkaSources;
import io.sluice.jobs.PauseSafeKafkaSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.junit.jupiter.api.Test;

/** The FlowJob's Kafka sources as built (nothing runs): which consumer settings each one fetches with. */
class FlowJobSourcesTest {
  private static final List<String> FETCH_KEYS = List.of("fetch.min.bytes", "fetch.max.wait.ms");

  /** Each Kafka source's name and its fetch settings. */
  private static Map<String, Map<String, String>> fetches(Map<String, String> extra) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Map<String, String> options = new HashMap<>(Map.of("kafka", "127.0.0.1:1", "clickhouse", "http://127.0.0.1:1"));
    options.putAll(extra);
    FlowJob.build(env, options);
    // getInputs, not getTransitivePredecessors: the broadcast-connected decode does not list its inputs' ancestors
    List<Transformation<?>> all = new ArrayList<>();
    ArrayDeque<Transformation<?>> next = new ArrayDeque<>(env.getTransformations());
    while (!next.isEmpty()) {
      Transformation<?> t = next.pop();
      all.add(t);
      next.addAll(t.getInputs());
    }
    Map<String, Map<String, String>> fetches = new HashMap<>();
    for (Transformation<?> t : all) {
      if (t instanceof SourceTransformation<?, ?, ?> source && source.getSource() instanceof PauseSafeKafkaSource<?> safe) {
        Properties p = safe.consumerProperties();
        Map<String, String> fetch = new HashMap<>();
        FETCH_KEYS.forEach(k -> fetch.put(k, p.getProperty(k)));
        fetches.put(source.getName(), fetch);
      }
    }
    return fetches;
  }

  @Test
  void theDatagramsWaitForFullFetchesAndTheRegistryAsksRarelyWhenIdle() throws Exception {
    for (String bounded : List.of("true", "false")) {
      Map<String, Map<String, String>> fetches = fetches(Map.of("bounded", bounded));
      assertEquals(2, fetches.size(), fetches.toString());
      assertEquals(KafkaSources.BATCHED, fetches.get(Topics.FLOWS_RAW), bounded);
      assertEquals(KafkaSources.MOSTLY_IDLE, fetches.get(Topics.SOURCES), bounded);
    }
  }

  @Test
  void aRegistryRecordIsFetchedAtOnce() {
    assertEquals("1", KafkaSources.MOSTLY_IDLE.get("fetch.min.bytes"));
  }
}
