package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.ingest.collect.UdpPayloads;
import io.sluice.net.IpAddresses;
import io.sluice.testing.HostileInputs;
import io.sluice.testing.RestartingEnvironment;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Crafted datagrams from the hardening review (issue 21) through Kafka, the real FlowJob in a MiniCluster and
 * ClickHouse: the job finishes, each crafted datagram is a counted problem of its exporter, and the honest traffic
 * around it lands in full.
 */
class FlowJobHostileInputSmallStackTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final long T0 = 1_700_000_000_000_000_000L;

  /** Runs FlowJob bounded with no restart allowed: any task failure fails the test. */
  static void runWithoutRestarts(FlowPipeline p) throws Exception {
    runWithoutRestarts(p, java.util.Map.of());
  }

  static void runWithoutRestarts(FlowPipeline p, java.util.Map<String, String> extra) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(RestartingEnvironment.restarting(0));
    env.setParallelism(2);
    java.util.Map<String, String> args = new java.util.HashMap<>(p.jobArgs(200, true));
    args.putAll(extra);
    FlowJob.build(env, args);
    env.execute("hostile-" + p.prefix);
  }

  @Test
  void aDeeplyNestedSflowHeaderIsCountedAndTheJobGoesOn() throws Exception {
    try (FlowPipeline p = FlowPipeline.create("hostile")) {
      p.register("10.9.9.9", "edge-sflow", null);
      p.register("127.0.2.0/24", "edge-v5", 100);
      byte[] crafted = HostileInputs.sflowRawHeader(new byte[] {10, 9, 9, 9}, HostileInputs.nestedPseudowires(2_970));
      p.produce(IpAddresses.mapped(new byte[] {10, 9, 9, 9}), crafted, T0);
      p.produce(IpAddresses.mapped(new byte[] {10, 9, 9, 9}), crafted, T0 + 1_000_000L);
      List<UdpPayloads.Datagram> v5 = UdpPayloads.read(FlowPipeline.FIXTURES.resolve("flows/goflow2/nfv5.pcap"));
      for (UdpPayloads.Datagram d : v5) {
        p.produce(d.srcAddr16(), d.payload(), T0 + 2_000_000L);
      }
      runWithoutRestarts(p);

      // The parser stops at its nesting cap; were it to throw instead, the operator would count the fault. Either
      // way the datagram is a problem of its exporter, and nothing of the packet behind the cap is taken (the sample
      // itself may still be stored with its sampled bytes, as any sample whose header does not decode).
      assertEquals(2, p.count("SELECT sum(problem_counts[indexOf(problem_reasons, 'packet_nesting_too_deep')])"
          + " + sum(problem_counts[indexOf(problem_reasons, 'decoder_exception')])"
          + " FROM exporter_stats WHERE exporter_name = 'edge-sflow'"));
      assertEquals(0, p.count("SELECT count() FROM flows WHERE exporter_name = 'edge-sflow'"
          + " AND (dst_port != 0 OR src_port != 0 OR protocol != 0)"));
      assertEquals(2, p.count("SELECT sum(datagrams) FROM exporter_stats WHERE exporter_name = 'edge-sflow'"));
      assertEquals(FlowPipeline.summary("goflow2__nfv5").path("netflow_ipfix").path("data_records").asLong(),
          p.count("SELECT count() FROM flows WHERE exporter_name = 'edge-v5'"));
    }
  }

  /**
   * The 1-byte-template IPFIX datagram (65,000 records of one protocol byte) stores nothing, each record counted; an
   * exporter over its records-per-second budget has the excess counted and dropped, per receive second.
   */
  @Test
  void emptyRecordsAndRecordsOverTheBudgetAreCountedNotStored() throws Exception {
    try (FlowPipeline p = FlowPipeline.create("flood")) {
      p.register("10.8.8.8", "edge-ipfix", 1);
      p.register("127.0.2.0/24", "edge-v5", 100);
      p.produce(IpAddresses.mapped(new byte[] {10, 8, 8, 8}), HostileInputs.ipfixOneByteTemplate(65_000), T0);
      List<UdpPayloads.Datagram> v5 = UdpPayloads.read(FlowPipeline.FIXTURES.resolve("flows/goflow2/nfv5.pcap"));
      long records = FlowPipeline.summary("goflow2__nfv5").path("netflow_ipfix").path("data_records").asLong();
      for (UdpPayloads.Datagram d : v5) {
        p.produce(d.srcAddr16(), d.payload(), T0); // one receive second
      }
      for (UdpPayloads.Datagram d : v5) {
        p.produce(d.srcAddr16(), d.payload(), T0 + 1_000_000_000L); // the next: a fresh budget
      }
      long budget = records / 2; // the fixture's one datagram holds more records than that
      runWithoutRestarts(p, java.util.Map.of("exporter-records-per-second", Long.toString(budget)));

      assertEquals(0, p.count("SELECT count() FROM flows WHERE exporter_name = 'edge-ipfix'"));
      assertEquals(65_000, p.count("SELECT sum(problem_counts[indexOf(problem_reasons, 'empty_record')])"
          + " FROM exporter_stats WHERE exporter_name = 'edge-ipfix'"));
      assertEquals(2 * budget, p.count("SELECT count() FROM flows WHERE exporter_name = 'edge-v5'"));
      assertEquals(2 * (records - budget), p.count("SELECT sum(problem_counts[indexOf(problem_reasons,"
          + " 'record_budget_exceeded')]) FROM exporter_stats WHERE exporter_name = 'edge-v5'"));
      assertEquals(p.count("SELECT count() FROM flows"), p.count("SELECT sum(records) FROM exporter_stats"),
          "exporter_stats counts the stored records");
    }
  }

  /**
   * Seeded mutations run through the job: a tenth of the million of issue 21 (the L7Job takes the rest: a mutated
   * template makes the exporter's state change on nearly every datagram, so each costs this job far more than a
   * frame costs the L7Job). Change with -Dsluice.flowMutations=N.
   */
  static final int MUTATIONS = Integer.getInteger("sluice.flowMutations", 100_000);

  /**
   * The records one exporter may add per receive second in the mutation run. The datagrams are 1 ms apart in receive
   * time, so without a budget 100,000 of them would land about 270,000 rows, which is ClickHouse's work,
   * not the job's; over the budget each record is still decoded, then counted as record_budget_exceeded.
   */
  static final int MUTATION_RECORDS_PER_SECOND = 20;

  /**
   * Every fixture datagram, then seeded mutations of them (a fifth left intact so that templates are learnt and data
   * paths reached), from 16 exporters, through Kafka into the job with no restart allowed: it finishes, and every
   * datagram is counted in exporter_stats.
   */
  @Test
  void seededMutationsOfFixtureDatagramsNeverFailTheJob() throws Exception {
    List<byte[]> originals = new java.util.ArrayList<>();
    for (java.nio.file.Path capture : io.sluice.decode.flow.Fixtures.flowCaptures()) {
      for (byte[] d : io.sluice.decode.flow.Fixtures.udpPayloads(capture)) {
        if (d.length > 0) {
          originals.add(d);
        }
      }
    }
    java.util.Random random = new java.util.Random(21);
    try (FlowPipeline p = FlowPipeline.create("mutations");
        org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(
            java.util.Map.of("bootstrap.servers", p.kafka, "linger.ms", 20, "batch.size", 1 << 20),
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      p.register("127.1.0.0/24", "fuzzed", 1);
      int sent = 0;
      for (int i = 0; i < originals.size() + MUTATIONS; i++) {
        byte[] payload = i < originals.size() ? originals.get(i)
            : random.nextInt(5) == 0 ? originals.get(random.nextInt(originals.size()))
            : HostileInputs.mutate(originals.get(random.nextInt(originals.size())), random);
        byte[] exporter = IpAddresses.mapped(new byte[] {127, 1, 0, (byte) random.nextInt(16)});
        io.sluice.wire.FlowDatagram envelope = io.sluice.wire.FlowDatagram.newBuilder()
            .setExporterAddr(com.google.protobuf.ByteString.copyFrom(exporter))
            .setReceivedNs(T0 + i * 1_000_000L)
            .setCollectorId("fuzz")
            .setPayload(com.google.protobuf.ByteString.copyFrom(payload))
            .build();
        producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
            p.prefix + io.sluice.ingest.Topics.FLOWS_RAW, exporter, envelope.toByteArray()));
        sent++;
      }
      producer.flush();
      runWithoutRestarts(p, java.util.Map.of("exporter-records-per-second", Integer.toString(MUTATION_RECORDS_PER_SECOND)));

      assertEquals(sent, p.count("SELECT sum(datagrams) FROM exporter_stats"), "every datagram counted");
      assertEquals(p.count("SELECT count() FROM flows"), p.count("SELECT sum(records) FROM exporter_stats"));
      System.out.printf("FlowJob mutations: %,d datagrams (%,d drawn, four in five mutated, from %,d fixture datagrams), %,d problems"
              + " counted, %,d rows%n", sent, MUTATIONS, originals.size(),
          p.count("SELECT sum(arraySum(problem_counts)) FROM exporter_stats"), p.count("SELECT count() FROM flows"));
    }
  }
}
