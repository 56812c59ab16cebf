package io.sluice.jobs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sluice.jobs.flow.FlowJob;
import io.sluice.jobs.l7.L7Job;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.junit.jupiter.api.Test;

/**
 * Every record between the jobs' operators has a Flink type serializer (POJO, primitive array), none falls back to
 * Kryo: the graphs are built with generic types forbidden, which makes Flink refuse a Kryo-serialised edge.
 */
class NoKryoTest {
  private static final Map<String, String> OPTIONS = Map.of("kafka", "127.0.0.1:1", "clickhouse", "http://127.0.0.1:1");

  @Test
  void theL7JobsEdgesHaveTypeSerializers() {
    StreamExecutionEnvironment env = forbidding();
    L7Job.build(env, OPTIONS);
    assertFalse(graph(env).getStreamNodes().isEmpty());
  }

  @Test
  void theFlowJobsEdgesHaveTypeSerializers() {
    StreamExecutionEnvironment env = forbidding();
    FlowJob.build(env, OPTIONS);
    assertFalse(graph(env).getStreamNodes().isEmpty());
  }

  /** The check itself: a type Flink can only serialise with Kryo is refused. */
  @Test
  void aKryoTypeIsRefused() {
    StreamExecutionEnvironment env = forbidding();
    env.fromData(1, 2).map(i -> new Object(), TypeInformation.of(Object.class)).print();
    assertThrows(UnsupportedOperationException.class, () -> graph(env));
  }

  private static StreamExecutionEnvironment forbidding() {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    return StreamExecutionEnvironment.getExecutionEnvironment(conf);
  }

  private static StreamGraph graph(StreamExecutionEnvironment env) {
    StreamGraph graph = env.getStreamGraph();
    graph.getStreamNodes().forEach(node -> {
      node.getTypeSerializersIn();
      node.getTypeSerializerOut();
    });
    return graph;
  }
}
