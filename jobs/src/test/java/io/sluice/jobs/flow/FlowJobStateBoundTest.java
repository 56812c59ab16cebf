package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.flow.ipfix.TemplateCache;
import io.sluice.net.IpAddresses;
import io.sluice.testing.FlinkRest;
import io.sluice.testing.HostileInputs;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 21, item 3, through the real unbounded FlowJob: exporters that each define 1,024 large templates (807 KB
 * each unbounded) leave at most the template byte bound per exporter in the decode operator's checkpoints; the
 * same templates re-sent do not rewrite the state; and once the exporters fall silent for the idle time, their state
 * leaves the checkpoints. State sizes are read from Flink's own checkpoint statistics (REST), not from the job.
 *
 * <p>Slow (about 100 s on a busy 2-core machine, most of it starting the job and waiting): it must wait for the
 * idle time (20 s, granularity 5 s) and for checkpoints before and after it, which is what it tests.
 */
class FlowJobStateBoundTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final int EXPORTERS = 8;
  static final int TEMPLATES = 1024;
  static final int PER_MESSAGE = 128;
  static final int FIELDS = 100;

  @Test
  void exporterStateIsBoundedNotRewrittenAndExpires() throws Exception {
    try (FlowPipeline p = FlowPipeline.create("statebound")) {
      p.register("127.3.0.0/24", "many-templates", 1);
      long t = 1_700_000_000_000_000_000L;
      int messages = TEMPLATES / PER_MESSAGE;
      int sent = 0;
      for (int round = 0; round < 2; round++) { // the second round re-sends the same templates
        for (int e = 0; e < EXPORTERS; e++) {
          byte[] exporter = IpAddresses.mapped(new byte[] {127, 3, 0, (byte) (e + 1)});
          for (int m = 0; m < messages; m++) {
            p.produce(exporter, HostileInputs.ipfixTemplates(256 + m * PER_MESSAGE, PER_MESSAGE, FIELDS, round * messages + m),
                t += 1_000_000L);
            sent++;
          }
        }
      }

      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      Map<String, String> args = new HashMap<>(p.jobArgs(300, false));
      args.put("exporter-idle-seconds", "20");
      FlowJob.build(env, args);
      // The bounds below are the state's own bytes: Flink's statistics give a snapshot's size as written.
      env.getConfig().setUseSnapshotCompression(false);
      JobClient job = env.executeAsync("statebound-" + p.prefix);
      try {
        FlinkRest rest = new FlinkRest(FLINK.getClientConfiguration(), job.getJobID().toString());
        String decode = rest.vertex("decode");
        int total = sent;
        assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> rest.gauge(decode, "sluice.datagrams_ipfix") == total) >= 0,
            "the job decoded every datagram");
        long processedAt = rest.latestCheckpoint();
        assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> rest.latestCheckpoint() > processedAt + 1) >= 0);
        long held = rest.stateSize(decode);
        long unbounded = (long) EXPORTERS * TEMPLATES * (7 + 8 * FIELDS);
        System.out.printf("FlowJob state: %,d exporters x %,d templates of %d fields: %,d bytes in the decode checkpoint"
            + " (%,d unbounded), %,d state writes for %,d datagrams%n", EXPORTERS, TEMPLATES, FIELDS, held, unbounded,
            rest.gauge(decode, "sluice.exporter_state_writes"), total);
        assertTrue(held <= EXPORTERS * (TemplateCache.MAX_BYTES + 16_384L) + 65_536,
            "decode state " + held + " bytes for " + EXPORTERS + " exporters");
        if (rest.gauge(decode, "sluice.exporters_expired") == 0) { // else a slow checkpoint saw some already expired
          assertTrue(held >= EXPORTERS * (TemplateCache.MAX_BYTES - 2_048L), "the templates are in the state: " + held);
        }
        // The first round fills each exporter's cache within its first messages; nothing after changes it.
        assertTrue(rest.gauge(decode, "sluice.exporter_state_writes") <= EXPORTERS * messages,
            "state writes " + rest.gauge(decode, "sluice.exporter_state_writes") + " for " + total + " datagrams");

        assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> rest.gauge(decode, "sluice.exporters_expired") == EXPORTERS) >= 0,
            "every silent exporter is forgotten");
        assertEquals(0, rest.gauge(decode, "sluice.exporters_held"));
        long expiredAt = rest.latestCheckpoint();
        assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> rest.latestCheckpoint() > expiredAt + 1) >= 0);
        long after = rest.stateSize(decode);
        assertTrue(after < 65_536, "decode state after the exporters expired: " + after);
      } finally {
        job.cancel().get();
      }
    }
  }
}
