package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ingest.Topics;
import io.sluice.ingest.collect.UdpPayloads;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.stack.KafkaService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, item 9: FlowJob's decode operator through a registry outage, on a Kafka broker of its own that is stopped
 * and started again. It opens while the registry topic cannot be read (before: an exception after 30 s, so the job
 * failed and could not start), decodes datagrams meanwhile, counts the failed reads and reports how stale it is, and
 * once the broker is back it reads the registry again by itself (with a back-off) and labels the datagrams.
 *
 * <p>Slow (about 90 s): the 30 s read at open and the 10 s catch-up reads while the broker is down are what it tests.
 */
class DecodeFlowsRegistryOutageTest {
  @Test
  void theOperatorOutlivesAnUnreadableRegistryAndReadsItWhenKafkaIsBack() throws Exception {
    StackSettings settings = TestStack.settings();
    KafkaService broker = TestStack.start(new KafkaService(settings), 90_000);
    try {
      String bootstrap = settings.kafkaBootstrap();
      String topic = "outage." + Topics.SOURCES;
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
            .all().get();
      }
      UdpPayloads.Datagram v5 = UdpPayloads.read(FlowPipeline.FIXTURES.resolve("flows/goflow2/nfv5.pcap")).get(0);
      new SourcesTopic(bootstrap, topic).put(Sources.build(
          new Sources.Request(io.sluice.net.IpAddresses.format(v5.srcAddr16()), "edge-v5", 1, false, "lab",
              List.of(), null), 1));
      broker.stop();

      DecodeFlows decode = new DecodeFlows(io.sluice.ingest.KafkaConnection.plaintext(bootstrap), topic);
      try (KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, io.sluice.decode.flow.FlowRecord> harness =
          ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(decode, RawDatagram::key, Types.STRING,
              DecodeFlows.REGISTRY)) {
        assertEquals(1, decode.registryFailures(), "the read at open failed and was counted");
        harness.processElement(datagram(v5), 1);
        assertEquals("", lastStats(harness).exporterName, "no registry yet: unlabelled, not failed");
        assertTrue(decode.registryFailures() >= 2 && decode.registryStaleMs() > 0);

        TestStack.start(broker, 90_000);
        long deadline = System.nanoTime() + 120_000_000_000L;
        String name = "";
        while (name.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(1_000);
          harness.processElement(datagram(v5), 2);
          name = lastStats(harness).exporterName;
        }
        assertEquals("edge-v5", name, "the registry is read again once Kafka is back");
        assertEquals(0, decode.registryStaleMs());
      }
    } finally {
      TestStack.stopAndDelete(settings, broker);
    }
  }

  private static RawDatagram datagram(UdpPayloads.Datagram d) {
    RawDatagram r = new RawDatagram();
    r.exporterAddr = d.srcAddr16();
    r.receivedNs = 1_700_000_000_000_000_000L;
    r.collectorId = "test";
    r.payload = d.payload();
    r.udpSourceAddr = d.srcAddr16();
    return r;
  }

  private static DatagramStats lastStats(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> harness) {
    DatagramStats last = null;
    for (StreamRecord<DatagramStats> r : harness.getSideOutput(DecodeFlows.STATS)) {
      last = r.getValue();
    }
    if (last == null) {
      throw new AssertionError("no exporter stats");
    }
    return last;
  }
}
