package io.sluice.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.ingest.KafkaConnection;
import io.sluice.store.TestKafka;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bounded job with watermark alignment over many partitions whose event time runs at different speeds, so that
 * alignment pauses and resumes them all the time and they finish at different times; small polls and work per record
 * keep the reader's main thread behind its fetcher, which widens the window of FLINK-39728. With no restart allowed,
 * the job must finish and read every record.
 */
class PauseSafeKafkaSourceJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static final int PARTITIONS = 16;
  private static final int PER_PARTITION = 3_000;

  @Test
  void aBoundedAlignedJobWhoseSplitsFinishAtDifferentTimesFinishesWithoutAFailover() throws Exception {
    String topic = "pause-safe-job-" + UUID.randomUUID();
    String bootstrap = TestKafka.bootstrap();
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
      // every partition led before the first record (generous: a busy machine)
      for (int polls = 0; polls < 600 && !led(admin, topic); polls++) {
        Thread.sleep(100);
      }
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("linger.ms", "20");
    p.put("enable.idempotence", "false");
    p.put("acks", "1");
    try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < PER_PARTITION; i++) {
        for (int partition = 0; partition < PARTITIONS; partition++) {
          // partition n's event time runs n + 1 times as fast as partition 0's
          long ts = (long) i * (partition + 1);
          byte[] value = ByteBuffer.allocate(8).putLong(ts).array();
          sent.add(producer.send(new ProducerRecord<>(topic, partition, null, value)));
        }
      }
      for (Future<?> f : sent) {
        f.get();
      }
    }
    // Three runs in the suite: the connector's own reader failed 10 of 12 runs here. To count how often each
    // reader fails: -Dpause-safe.runs=N, and with -Dpause-safe.compare=true each run reads first with the
    // connector's own reader (only ours must not fail).
    int runs = Integer.getInteger("pause-safe.runs", 3);
    boolean compare = Boolean.getBoolean("pause-safe.compare");
    List<String> failed = new ArrayList<>();
    int connectorsFailed = 0;
    for (int run = 0; run < runs; run++) {
      if (compare && !attempt(bootstrap, topic, false, run)) {
        connectorsFailed++;
      }
      if (!attempt(bootstrap, topic, true, run)) {
        failed.add("run " + run);
      }
    }
    System.out.printf("pause-safe: %d of %d runs failed with PauseSafeSplitReader, %s%n", failed.size(), runs,
        compare ? connectorsFailed + " with the connector's reader" : "the connector's reader not run");
    assertEquals(List.of(), failed);
  }

  private static boolean led(Admin admin, String topic) throws Exception {
    var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
    return partitions.size() == PARTITIONS
        && partitions.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
  }

  /** Whether the job read every record; failures (the job's or a count's) are printed. */
  private static boolean attempt(String bootstrap, String topic, boolean ours, int run) throws Exception {
    long started = System.nanoTime();
    String reader = ours ? "PauseSafeSplitReader" : "connector's reader";
    try {
      long read = readAll(bootstrap, topic, ours);
      System.out.printf("pause-safe run %d, %s: read %d of %d in %d ms%n", run, reader, read,
          (long) PARTITIONS * PER_PARTITION, (System.nanoTime() - started) / 1_000_000);
      return read == (long) PARTITIONS * PER_PARTITION;
    } catch (Exception e) {
      System.out.printf("pause-safe run %d, %s: failed in %d ms: %s%n", run, reader,
          (System.nanoTime() - started) / 1_000_000, ExceptionUtils.stringifyException(e).lines()
              .filter(l -> l.contains("IllegalStateException")).findFirst().orElse(e.toString()));
      return false;
    }
  }

  private static long readAll(String bootstrap, String topic, boolean ours) throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.getConfig().setAutoWatermarkInterval(10);
    PauseSafeKafkaSource<Long> source = KafkaSources.resuming(KafkaConnection.plaintext(bootstrap), topic,
        "pause-safe-job-" + UUID.randomUUID(), true, new Timestamps(), Map.of("max.poll.records", "50"));
    WatermarkStrategy<Long> aligned = WatermarkStrategy.<Long>forMonotonousTimestamps()
        .withTimestampAssigner((ts, previous) -> ts)
        .withWatermarkAlignment("pause-safe", Duration.ofMillis(20), Duration.ofMillis(10));
    long n = 0;
    try (CloseableIterator<Long> it = env.fromSource(ours ? source : source.kafkaSource(), aligned, "timestamps")
        .map(PauseSafeKafkaSourceJobTest::slowly).executeAndCollect()) {
      while (it.hasNext()) {
        it.next();
        n++;
      }
    }
    return n;
  }

  /** Some microseconds of work a record, so that the reader's main thread lags the fetcher. */
  private static long slowly(long ts) {
    long x = ts;
    for (int i = 0; i < 20_000; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
    }
    return x == 42 ? ts + 1 : ts;
  }

  private static final class Timestamps implements KafkaRecordDeserializationSchema<Long> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Long> out) {
      out.collect(ByteBuffer.wrap(record.value()).getLong());
    }

    @Override
    public TypeInformation<Long> getProducedType() {
      return Types.LONG;
    }
  }
}
