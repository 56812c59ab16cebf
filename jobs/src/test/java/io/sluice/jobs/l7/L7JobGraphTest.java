package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The L7Job's graph as built (nothing runs): its records' and keys' serializers. */
class L7JobGraphTest {
  private static StreamGraph graph(Configuration conf) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    L7Job.build(env, Map.of("kafka", "127.0.0.1:1", "clickhouse", "http://127.0.0.1:1"));
    return env.getStreamGraph();
  }

  @Test
  void itsKeyedOperatorsUseThePacketKeySerializer() {
    int keyed = 0;
    for (StreamNode node : graph(new Configuration()).getStreamNodes()) {
      if (node.getStateKeySerializer() != null) {
        assertSame(PacketKeySerializer.INSTANCE, node.getStateKeySerializer(), node.getOperatorName());
        keyed++;
      }
    }
    assertEquals(2, keyed, "reassemble fragments and the join");
  }

  /** With generic types (Kryo) disabled, building fails on any record type Flink could only serialise with Kryo. */
  @Test
  void noRecordTypeFallsBackToKryo() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    assertDoesNotThrow(() -> graph(conf));
  }
}
