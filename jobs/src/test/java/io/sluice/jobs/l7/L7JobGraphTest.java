package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.jobs.PauseSafeKafkaSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkAlignmentParams;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The L7Job's graph as built (nothing runs): its keys' serializer ({@code NoKryoTest}: its records'). */
class L7JobGraphTest {
  private static StreamGraph graph() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    L7Job.build(env, Map.of("kafka", "127.0.0.1:1", "clickhouse", "http://127.0.0.1:1"));
    return env.getStreamGraph();
  }

  /** Each Kafka source's name and its watermark alignment's max drift in ms (-1 without alignment). */
  private static Map<String, Long> drifts(Map<String, String> extra) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Map<String, String> options = new HashMap<>(Map.of("kafka", "127.0.0.1:1", "clickhouse", "http://127.0.0.1:1"));
    options.putAll(extra);
    L7Job.build(env, options);
    List<Transformation<?>> all = new ArrayList<>();
    env.getTransformations().forEach(t -> all.addAll(t.getTransitivePredecessors()));
    Map<String, Long> drifts = new HashMap<>();
    for (Transformation<?> t : all) {
      if (t instanceof SourceTransformation<?, ?, ?> source) {
        WatermarkAlignmentParams alignment = source.getWatermarkStrategy().getAlignmentParameters();
        drifts.put(source.getName(), alignment.isEnabled() ? alignment.getMaxAllowedWatermarkDrift() : -1L);
      }
    }
    return drifts;
  }

  @Test
  void everyRunAlignsThePacketsPartitions() {
    for (Map<String, String> run : List.of(Map.of("bounded", "true"), Map.<String, String>of())) {
      Map<String, Long> drifts = drifts(run);
      assertEquals(2, drifts.size(), drifts.toString());
      assertEquals(1, drifts.values().stream().filter(d -> d == L7Job.MAX_DRIFT_MS).count(), run + ": " + drifts);
      assertEquals(1, drifts.values().stream().filter(d -> d == -1L).count(), run + ": the sockets are not aligned");
    }
    assertEquals(5000L, drifts(Map.of("max-drift-ms", "5000")).values().stream().max(Long::compare).orElseThrow());
  }

  /**
   * Alignment pauses a packets partition within a few seconds of bench l7's event time: checked every
   * {@link L7Job#ALIGNMENT_CHECK_MS}, with one small fetch queued (BENCHMARKS.md, issue 22 tenth round).
   */
  @Test
  void thePacketsPartitionsAreCheckedOftenAndFetchLittleAhead() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    L7Job.build(env, Map.of("kafka", "127.0.0.1:1", "clickhouse", "http://127.0.0.1:1", "bounded", "true"));
    assertEquals(L7Job.ALIGNMENT_CHECK_MS, env.getConfig().getAutoWatermarkInterval());
    java.util.Set<Transformation<?>> all = new java.util.HashSet<>();
    env.getTransformations().forEach(t -> all.addAll(t.getTransitivePredecessors()));
    int aligned = 0;
    for (Transformation<?> t : all) {
      if (t instanceof SourceTransformation<?, ?, ?> source && source.getWatermarkStrategy().getAlignmentParameters().isEnabled()) {
        assertEquals(L7Job.ALIGNMENT_CHECK_MS, source.getWatermarkStrategy().getAlignmentParameters().getUpdateInterval());
        Properties consumer = ((PauseSafeKafkaSource<?>) source.getSource()).consumerProperties();
        assertEquals("32", consumer.getProperty("max.poll.records"));
        assertEquals("1", consumer.getProperty("source.reader.element.queue.capacity"));
        aligned++;
      }
    }
    assertEquals(1, aligned);
    assertEquals("100", L7Job.packetsConsumer(Map.of("max.poll.records", "100")).get("max.poll.records"), "a test's own setting wins");
  }

  /** Compressed snapshots are read back in blocks; uncompressed ones from a local file, one read(2) per byte. */
  @Test
  void itsKeyedStateSnapshotsAreCompressed() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    L7Job.build(env, Map.of("kafka", "127.0.0.1:1", "clickhouse", "http://127.0.0.1:1"));
    assertTrue(env.getConfig().isUseSnapshotCompression());
    assertEquals(L7Job.CHECKPOINT_MS, env.getCheckpointConfig().getCheckpointInterval());
  }

  @Test
  void itsKeyedOperatorsUseThePacketKeySerializer() {
    int keyed = 0;
    for (StreamNode node : graph().getStreamNodes()) {
      if (node.getStateKeySerializer() != null) {
        assertSame(PacketKeySerializer.INSTANCE, node.getStateKeySerializer(), node.getOperatorName());
        keyed++;
      }
    }
    assertEquals(2, keyed, "reassemble fragments and the join");
  }
}
