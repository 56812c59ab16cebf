package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * FlowJob streaming NetFlow v9 into a ClickHouse server of its own, which is stopped for 30 s mid-stream and started
 * again: the sink backpressures and retries, and every record lands exactly once.
 */
class FlowJobClickHouseOutageTest {
  private static final int DATA_DATAGRAMS = 500;

  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @Test
  void clickHouseStoppedForThirtySecondsMidStreamLosesAndRepeatsNoRow() throws Exception {
    StackSettings settings = TestStack.settings();
    ClickHouseService server = TestStack.start(new ClickHouseService(settings), 60_000);
    try (FlowPipeline p = FlowPipeline.create("outage", settings.clickhouseUrl())) {
      p.register("127.0.2.4", "edge-outage", 1);
      FlowPipeline.produceTemplateThenData(p, DATA_DATAGRAMS, System.currentTimeMillis() * 1_000_000L);
      JsonNode oracle = FlowPipeline.summary("goflow2__nfv9_template_data").path("netflow_ipfix");
      long records = DATA_DATAGRAMS * oracle.path("data_records").asLong();

      Throttle.SEEN.set(0);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(2);
      FlowJob.build(env, p.jobArgs(500, true), stream -> stream.map(new Throttle()));
      CompletableFuture<Void> job = CompletableFuture.runAsync(() -> {
        try {
          env.execute("flowjob-outage");
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });

      assertTrue(FlowPipeline.await(Duration.ofSeconds(60), () -> p.count("SELECT count() FROM flows") > 0) >= 0, "rows land");
      server.stop(); // SIGTERM; ClickHouse may take up to its 15 s grace to exit
      int readAtStop = Throttle.SEEN.get();
      long stoppedAt = System.nanoTime();
      assertTrue(readAtStop < DATA_DATAGRAMS, "ClickHouse went down mid-stream, after " + readAtStop + " datagrams");
      Thread.sleep(30_000);
      TestStack.start(server, 60_000);
      job.get(5, TimeUnit.MINUTES);

      assertTrue(System.nanoTime() - stoppedAt >= TimeUnit.SECONDS.toNanos(30));
      assertEquals(List.of(Long.toString(records), Long.toString(DATA_DATAGRAMS * oracle.path("total_bytes").asLong()),
              Long.toString(DATA_DATAGRAMS * oracle.path("total_packets").asLong()), "1"),
          p.row("SELECT count(), sum(sampled_bytes), sum(sampled_packets), uniqExact(exporter_name) FROM flows"));
      assertEquals(List.of(Integer.toString(DATA_DATAGRAMS + 1), Long.toString(records)),
          p.row("SELECT sum(datagrams), sum(records) FROM exporter_stats"), "the 1-second stats are exactly once too");
      assertTrue(p.count("SELECT uniqExact(ingest_batch) FROM flows") > 2, "committed over several checkpoints");
    } finally {
      TestStack.stopAndDelete(settings, server);
    }
  }

  /** Paces the stream so that it is still running when ClickHouse goes away; counts the datagrams read. */
  static final class Throttle implements MapFunction<RawDatagram, RawDatagram> {
    static final AtomicInteger SEEN = new AtomicInteger();

    @Override
    public RawDatagram map(RawDatagram datagram) throws InterruptedException {
      SEEN.incrementAndGet();
      Thread.sleep(60); // 500 datagrams: a 30 s stream
      return datagram;
    }
  }
}
