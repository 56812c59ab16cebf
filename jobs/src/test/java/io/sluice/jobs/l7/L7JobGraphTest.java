package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Map;
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
