package io.sluice.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sluice.cli.Main;
import io.sluice.cli.submit.FlinkRest;
import io.sluice.ingest.Topics;
import io.sluice.net.IpAddresses;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.stack.ClickHouseService;
import io.sluice.stack.FlinkService;
import io.sluice.stack.KafkaService;
import io.sluice.stack.StackSettings;
import io.sluice.stack.TestStack;
import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.Migrator;
import io.sluice.wire.FlowDatagram;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * FlowJob on a real standalone cluster reads a 1,000,000-record IPFIX stream from Kafka; its TaskManager is
 * killed with SIGKILL mid-way. After the restart from the last checkpoint, ClickHouse holds exactly what was sent.
 */
class FlowCrashTest {
  private final List<Runnable> stops = new ArrayList<>();
  private java.nio.file.Path work;

  @AfterEach
  void stop() {
    stops.forEach(Runnable::run);
    if (work != null) {
      TestStack.deleteTree(work); // once every service is stopped
    }
  }

  @Test
  void taskManagerKilledMidReplayLandsExactlyWhatWasSent() throws Exception {
    StackSettings settings = TestStack.settings();
    work = settings.workDir();
    ClickHouseService clickhouse = TestStack.start(new ClickHouseService(settings), 60_000);
    stops.add(clickhouse::stop);
    KafkaService kafka = TestStack.start(new KafkaService(settings), 90_000);
    stops.add(kafka::stop);
    FlinkService flink = TestStack.start(new FlinkService(settings), 120_000);
    stops.add(0, flink::stop);
    String bootstrap = settings.kafkaBootstrap();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      List<NewTopic> topics = new ArrayList<>();
      for (Topics.Spec spec : Topics.ALL) {
        topics.add(new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.config()));
      }
      admin.createTopics(topics).all().get();
    }
    new Migrator(new ClickHouseHttp(settings.clickhouseUrl(), null), "crash", TestStack.repoRoot().resolve("sql"), l -> {})
        .migrate();
    new SourcesTopic(bootstrap).put(Sources.build(new Sources.Request("127.0.3.1", "crash-ipfix", 1000, false, "lab",
        List.of(), null), 1));

    IpfixGenerator generator = new IpfixGenerator(77, 77);
    byte[] exporter = IpAddresses.mapped(new byte[] {127, 0, 3, 1});
    ByteBuffer buf = ByteBuffer.allocate(1500);
    long t0 = System.currentTimeMillis();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"))) {
      for (int i = 0; generator.records < 1_000_000; i++) {
        long millis = t0 + i / 20; // about 20 datagrams per exporter millisecond, spread over ~50 s of event time
        int length = generator.next(buf, millis);
        FlowDatagram envelope = FlowDatagram.newBuilder().setExporterAddr(ByteString.copyFrom(exporter))
            .setReceivedNs(millis * 1_000_000L).setCollectorId("crash-test")
            .setPayload(ByteString.copyFrom(buf.array(), 0, length)).build();
        producer.send(new ProducerRecord<>(Topics.FLOWS_RAW, exporter, envelope.toByteArray()));
      }
      producer.flush();
    }

    StringWriter out = new StringWriter();
    int code = Main.newCommandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true)).execute(
        "submit", "--flink", settings.flinkUrl(), "--jar", shadedJobJar().toString(), "flows", "kafka=" + bootstrap,
        "clickhouse=" + settings.clickhouseUrl(), "database=crash", "bounded=true", "checkpoint-ms=1000",
        "exporter-records-per-second=100000000"); // one exporter at 200 k+ records/s: above the default budget
    assertEquals(0, code, out.toString());
    String jobId = out.toString().replaceAll("(?s).*as job ([0-9a-f]{32}).*", "$1");

    ClickHouseHttp db = new ClickHouseHttp(settings.clickhouseUrl(), "crash");
    long deadline = System.currentTimeMillis() + 180_000;
    // Killed at the first commit seen: on a fast machine one checkpoint interval can hold most of the stream, so
    // waiting for more risks finding everything committed before the kill.
    while (Long.parseLong(db.scalar("SELECT count() FROM flows")) == 0) {
      assertTrue(System.currentTimeMillis() < deadline, "rows are landing");
      Thread.sleep(20);
    }
    long before = Long.parseLong(db.scalar("SELECT count() FROM flows"));
    assertTrue(before < generator.records, "killed mid-way, at " + before);
    flink.taskManagerProcess().kill();
    flink.start();

    FlinkRest rest = new FlinkRest(settings.flinkUrl());
    String state = rest.jobState(jobId);
    deadline = System.currentTimeMillis() + 300_000;
    while (!state.equals("FINISHED") && System.currentTimeMillis() < deadline) {
      assertFalse(Set.of("FAILED", "CANCELED").contains(state), "job " + state);
      Thread.sleep(500);
      state = rest.jobState(jobId);
    }
    assertEquals("FINISHED", state);
    assertTrue(rest.get("/jobs/" + jobId + "/checkpoints").path("counts").path("restored").asLong() >= 1,
        "restarted from a checkpoint");
    assertEquals(List.of(List.of(Long.toString(generator.records), Long.toString(generator.octets),
            Long.toString(generator.packets), Long.toString(generator.octets * 1000))),
        db.query("SELECT count(), sum(sampled_bytes), sum(sampled_packets), sum(est_bytes) FROM flows").rows());
    assertEquals(Long.toString(generator.records), db.scalar("SELECT sum(records) FROM exporter_stats"),
        "the 1-second stats are exactly once too");
    assertEquals(Long.toString(generator.records), db.scalar("SELECT sum(records) FROM flows_1m"),
        "and so is the rollup the commit feeds");
  }

  private static Path shadedJobJar() throws Exception {
    Path target = TestStack.repoRoot().resolve("jobs/target");
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().endsWith("-job.jar")).findFirst().orElseThrow();
    }
  }
}
