package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.flow.ipfix.OptionNamesTest;
import io.sluice.testing.FailOnceAfterCheckpoint;
import io.sluice.testing.RestartingEnvironment;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Interface and VRF names from an exporter's IPFIX options data, through FlowJob on real Kafka and ClickHouse:
 * the names arrive once, the job fails after a checkpoint and restarts (the options datagram is not replayed,
 * so the names must come back from keyed state), the exporter then re-assigns an ifIndex and a VRF id, and a
 * name registered with `sluice sources add --interface` overrides the exporter's.
 */
class FlowJobOptionNamesTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @Test
  void namesSurviveARestartAndFollowReassignment() throws Exception {
    try (FlowPipeline p = FlowPipeline.create("flownames")) {
      p.register("127.0.2.9", "edge-names", 1, "lab", List.of("9=registered-uplink"));
      byte[] exporter = new byte[16];
      exporter[10] = exporter[11] = (byte) 0xFF;
      exporter[12] = 127;
      exporter[14] = 2;
      exporter[15] = 9;
      long t = 1_700_000_000_000_000_000L;
      int seq = 1;
      p.produce(exporter, OptionNamesTest.message(true, seq++, OptionNamesTest.templates(true),
          OptionNamesTest.optionsData(true, Map.of(5L, "Gi0/0/0", 6L, "Gi0/0/1", 9L, "Gi0/0/9"), 7, "cust-a")), t);
      int before = 150;
      for (int i = 0; i < before; i++) {
        p.produce(exporter, OptionNamesTest.message(true, seq++, OptionNamesTest.flowData(5, 6, 7, 8)), t + seq * 10_000_000L);
      }
      p.produce(exporter, OptionNamesTest.message(true, seq++, OptionNamesTest.optionsData(true, Map.of(5L, "Te0/1/0"), 7, "cust-b")),
          t + seq * 10_000_000L);
      int after = 50;
      for (int i = 0; i < after; i++) {
        p.produce(exporter, OptionNamesTest.message(true, seq++, OptionNamesTest.flowData(5, 9, 7, 8)), t + seq * 10_000_000L);
      }

      FailOnceAfterCheckpoint.reset();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(RestartingEnvironment.restarting(10));
      env.setParallelism(1);
      FlowJob.build(env, p.jobArgs(100, true), stream -> stream.map(new FailOnceAfterCheckpoint<RawDatagram>(100)));
      env.execute("flowjob-names");
      assertTrue(FailOnceAfterCheckpoint.failed(), "the job failed once and restarted");

      assertEquals(List.of(
              List.of("Gi0/0/0", "Gi0/0/1", "7", "cust-a", "8", "", Integer.toString(before)),
              List.of("Te0/1/0", "registered-uplink", "7", "cust-b", "8", "", Integer.toString(after))),
          p.db.query("SELECT in_if_name, out_if_name, in_vrf_id, in_vrf_name, out_vrf_id, out_vrf_name, count()"
              + " FROM flows GROUP BY in_if_name, out_if_name, in_vrf_id, in_vrf_name, out_vrf_id, out_vrf_name"
              + " ORDER BY min(sequence)").rows());
    }
  }
}
