package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.decode.flow.sflow.SflowCounterDatagram;
import io.sluice.net.IpAddresses;
import io.sluice.store.ClickHouseHttp;
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
 * Real fixture datagrams through a real Kafka broker, the FlowJob in a Flink MiniCluster and the exactly-once sink
 * into a real ClickHouse; the rows are compared with tshark's decode of the same captures.
 */
class FlowJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @Test
  void fixtureDatagramsLandDecodedLabelledAndSamplingCorrected() throws Exception {
    try (FlowPipeline p = FlowPipeline.create("flowjob")) {
      // Rates known from the exporter's own fields: the registry adds names only.
      p.register("192.168.0.1", "edge-sampled", null, "lab", List.of("0=ge-0/0/0"));
      // NetFlow v5 without a rate in its header: the configured rate applies, and says so.
      p.register("127.0.2.0/24", "edge-v5", 100, "dc1", List.of());
      p.register("10.9.9.9", "edge-counters", null, "lab", List.of("7=xe-0/0/7"));

      Map<String, long[]> sent = produce(p, "akvorado/netflow/samplingrate", "goflow2/nfv5");
      SflowCounterDatagram counters = new SflowCounterDatagram();
      p.produce(IpAddresses.mapped(counters.agent), counters.bytes(1), 1_700_000_000_000_000_000L);
      FlowPipeline.runBounded(p, 300);
      assertLanded(p.db, sent, counters);
    }
  }

  private static void assertLanded(ClickHouseHttp db, Map<String, long[]> sent, SflowCounterDatagram counters) throws Exception {
    JsonNode sampled = summary("akvorado__netflow__samplingrate");
    assertEquals(List.of(List.of(sampled.path("data_records").asText(), sampled.path("total_bytes").asText(),
            sampled.path("total_packets").asText(), sampled.path("corrected_total_bytes").asText(), "2048", "packet", "lab")),
        db.query("SELECT count(), sum(sampled_bytes), sum(sampled_packets), sum(est_bytes), any(sampling_rate),"
            + " any(sampling_rate_source), any(site) FROM flows WHERE exporter_name = 'edge-sampled'").rows());

    JsonNode v5 = summary("goflow2__nfv5");
    long bytes = v5.path("total_bytes").asLong();
    assertEquals(List.of(List.of(v5.path("data_records").asText(), Long.toString(bytes), Long.toString(bytes * 100),
            "100", "configured", "dc1")),
        db.query("SELECT count(), sum(sampled_bytes), sum(est_bytes), any(sampling_rate), any(sampling_rate_source),"
            + " any(site) FROM flows WHERE exporter_name = 'edge-v5'").rows());
    assertEquals("0", db.scalar("SELECT count() FROM flows WHERE exporter_name = ''"), "every row is labelled");

    long[] sampledSent = sent.get("akvorado/netflow/samplingrate");
    assertEquals(List.of(List.of(Long.toString(sampledSent[0]), sampled.path("data_records").asText(),
            Long.toString(sampledSent[1]), Long.toString(sequenceGaps("akvorado__netflow__samplingrate")), "[2048]",
            "['packet']", "0")),
        db.query("SELECT sum(datagrams), sum(records), sum(bytes), sum(est_lost_datagrams),"
            + " toString(groupUniqArrayArray(sampling_rates)), toString(groupUniqArrayArray(sampling_rate_sources)),"
            + " max(configured_rate) FROM exporter_stats WHERE exporter_name = 'edge-sampled'").rows());
    long[] v5Sent = sent.get("goflow2/nfv5");
    assertEquals(List.of(List.of(Long.toString(v5Sent[0]), v5.path("data_records").asText(), "[100]", "['configured']", "100")),
        db.query("SELECT sum(datagrams), sum(records), toString(groupUniqArrayArray(sampling_rates)),"
            + " toString(groupUniqArrayArray(sampling_rate_sources)), max(configured_rate) FROM exporter_stats"
            + " WHERE exporter_name = 'edge-v5'").rows());
    assertEquals(db.scalar("SELECT count() FROM flows"), db.scalar("SELECT sum(records) FROM exporter_stats"),
        "every record is counted in its exporter's second");

    assertEquals(List.of(List.of("edge-counters", "7", "xe-0/0/7", "1", "1", Long.toString(counters.inOctets),
            Long.toString(counters.outOctets), Long.toString(counters.inErrors), Long.toString(counters.dot3[1]), "1")),
        db.query("SELECT exporter_name, if_index, if_name, if_admin_up, if_oper_up, in_octets, out_octets, in_errors,"
            + " dot3_fcs_errors, has_ethernet FROM interface_counters").rows());
    assertEquals("1", db.scalar("SELECT sum(datagrams) FROM exporter_stats WHERE exporter_name = 'edge-counters'"));
    assertEquals("0", db.scalar("SELECT count() FROM flows WHERE time = 0"), "every row has its second");
  }

  /**
   * The template arrives once; 200 data-only datagrams follow, and the job fails once after a checkpoint. The
   * datagrams replayed after the restart decode only if the templates came back from keyed state, and the sink
   * must neither lose nor repeat rows (goflow2 #330: a restart must not wait for templates to be re-sent).
   */
  @Test
  void templatesSurviveARestartAndRowsLandExactlyOnce() throws Exception {
    try (FlowPipeline p = FlowPipeline.create("flowrestart")) {
      p.register("127.0.2.4", "edge-restart", 1);
      int dataDatagrams = 200;
      FlowPipeline.produceTemplateThenData(p, dataDatagrams, 1_700_000_000_000_000_000L);

      FailOnceAfterCheckpoint.reset();
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(RestartingEnvironment.restarting(10));
      env.setParallelism(1);
      FlowJob.build(env, p.jobArgs(100, true), stream -> stream.map(new FailOnceAfterCheckpoint<RawDatagram>(100)));
      env.execute("flowjob-restart");

      assertTrue(FailOnceAfterCheckpoint.failed(), "the job failed once and restarted");
      assertRestartedExactlyOnce(p.db, dataDatagrams);
    }
  }

  private static void assertRestartedExactlyOnce(ClickHouseHttp db, int dataDatagrams) throws Exception {
    JsonNode oracle = summary("goflow2__nfv9_template_data");
    long perDatagram = oracle.path("data_records").asLong();
    assertEquals(Long.toString(dataDatagrams * perDatagram), db.scalar("SELECT count() FROM flows"));
    assertEquals(Long.toString(dataDatagrams * oracle.path("total_bytes").asLong()), db.scalar("SELECT sum(sampled_bytes) FROM flows"));
    assertEquals(Long.toString(dataDatagrams + 1), db.scalar("SELECT sum(datagrams) FROM exporter_stats"));
    // The capture's exporter clock is far from the replayed receive times: those records count at the receive time.
    assertEquals("[]", db.scalar("SELECT toString(arrayFilter(r -> r != 'time_out_of_range',"
            + " groupUniqArrayArray(problem_reasons))) FROM exporter_stats"),
        "no data set waited for a template");
  }

  /** Datagrams missing between consecutive NetFlow v9 sequence numbers, as tshark read them. */
  private static long sequenceGaps(String name) throws Exception {
    List<String> lines = java.nio.file.Files.readAllLines(FlowPipeline.FIXTURES.resolve("oracle/flows/" + name + ".datagrams.csv"));
    int column = List.of(lines.get(0).split(",")).indexOf("sequence");
    long gaps = 0;
    for (int i = 2; i < lines.size(); i++) {
      gaps += Long.parseLong(lines.get(i).split(",")[column]) - Long.parseLong(lines.get(i - 1).split(",")[column]) - 1;
    }
    return gaps;
  }

  private static JsonNode summary(String name) throws Exception {
    return FlowPipeline.summary(name).path("netflow_ipfix");
  }

  /**
   * Sends each capture's UDP payloads as collectors do: an envelope keyed by the exporter (the UDP source).
   * Returns, per capture, the datagrams and payload bytes sent.
   */
  private static Map<String, long[]> produce(FlowPipeline p, String... captures) throws Exception {
    Map<String, long[]> sent = new java.util.HashMap<>();
    PacketHeader packet = new PacketHeader();
    for (String capture : captures) {
      long[] totals = new long[2];
      try (CaptureReader reader = CaptureReader.open(FlowPipeline.FIXTURES.resolve("flows/" + capture + ".pcap"))) {
        for (CaptureFrame frame : reader) {
          if (!PacketParser.parse(frame.linkType(), frame.data(), 0, frame.data().length, packet)
              || packet.protocol != PacketParser.PROTO_UDP || packet.payloadLength == 0) {
            continue;
          }
          byte[] payload = java.util.Arrays.copyOfRange(frame.data(), packet.payloadOffset,
              packet.payloadOffset + packet.payloadLength);
          p.produce(packet.srcAddr.clone(), payload, frame.timestampNs());
          totals[0]++;
          totals[1] += payload.length;
        }
      }
      sent.put(capture, totals);
    }
    return sent;
  }
}
