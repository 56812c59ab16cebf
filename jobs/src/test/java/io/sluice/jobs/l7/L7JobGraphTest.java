package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.apache.flink.runtime.OperatorIDPair;
import org.apache.flink.runtime.jobgraph.DistributionPattern;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
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

  /**
   * The sinks' writers stay in the join's chain (staging without a hop); each sink's committer is a task of its own,
   * fed by its writer subtask alone, so a commit never runs on the join's thread.
   */
  @Test
  void theCommittersRunOffTheJoinsChain() {
    JobGraph job = graph().getJobGraph();
    JobVertex join = null;
    List<JobVertex> committers = new ArrayList<>();
    for (JobVertex v : job.getVertices()) {
      if (v.getName().startsWith("join")) {
        join = v;
      } else if (v.getName().endsWith("Committer")) {
        committers.add(v);
      }
    }
    assertTrue(join != null, "a join vertex");
    for (String sink : List.of("dns", "http", "tls")) {
      assertTrue(join.getName().contains("clickhouse " + sink + ": Writer"), join.getName());
    }
    assertFalse(join.getName().contains("Committer"), join.getName());
    assertEquals(3, committers.size(), committers.toString());
    for (JobVertex committer : committers) {
      assertEquals(1, committer.getOperatorIDs().size(), committer.getName() + " chains nothing else");
      assertEquals(1, committer.getInputs().size());
      assertSame(join, committer.getInputs().get(0).getSource().getProducer(), committer.getName());
      assertEquals(DistributionPattern.POINTWISE, committer.getInputs().get(0).getDistributionPattern(),
          committer.getName() + ": writer subtask i feeds committer subtask i");
    }
  }

  /**
   * The operators that hold state keep the ids Flink generated for them in 03f818a's graph (committers chained to
   * the join), so a checkpoint or savepoint of that job restores into this one without dropping state.
   */
  @Test
  void itsStatefulOperatorsKeepTheIdsOfTheChainedGraph() {
    Map<String, String> before = Map.of(
        "cbc357ccb763df2852fee8c4fc7d55f2", "Source: sluice.packets.raw",
        "feca28aff5a3958840bee985ee7de4d3", "Source: sluice.sockets.raw",
        "aca1a4ffefd80bc213199e27f9a2cf21", "reassemble fragments",
        "d76a9e5cdf32a66f88535d6a89b49e20", "join dns/http",
        "6f55de9d9895b75838eb20a5c25c60db", "clickhouse dns: Committer",
        "69654c62c6f6cf9b085bd0ce9afbf18a", "clickhouse http: Committer",
        "981022caa7c4d4f661ed070bdb13d8f3", "clickhouse tls: Committer");
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (JobVertex v : graph().getJobGraph().getVertices()) {
      for (OperatorIDPair pair : v.getOperatorIDs()) {
        // state is assigned by the user-defined id where there is one
        ids.add(pair.getUserDefinedOperatorID().orElse(pair.getGeneratedOperatorID()).toHexString());
      }
    }
    before.forEach((id, name) -> assertTrue(ids.contains(id), name + " " + id + " not in " + ids));
  }
}

