package io.sluice.jobs.flow;

import io.sluice.decode.flow.FlowRecord;
import io.sluice.ingest.KafkaConnection;
import io.sluice.ingest.Topics;
import io.sluice.jobs.Checkpoints;
import io.sluice.jobs.ClickHouseArgs;
import io.sluice.jobs.JobArgs;
import io.sluice.jobs.KafkaSources;
import io.sluice.store.rows.FlowRowEncoder;
import io.sluice.store.rows.InterfaceCountersEncoder;
import io.sluice.store.rows.PreEncodedRows;
import io.sluice.store.sink.ClickHouseSink;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * sluice.flows.raw → keyBy exporter → decode with keyed template/sampling state → label from the source registry
 * (broadcast) → the {@code flows} table, exactly once.
 *
 * <p>Arguments (key=value): kafka, clickhouse (or clickhouse-shards and clickhouse-cluster, see {@link ClickHouseArgs}),
 * database, group, checkpoint-ms, topic-prefix (prepended to the
 * topic names, to run several pipelines on one cluster), and bounded=true to stop at the offsets that exist when
 * the job starts (for replays and tests), exporter-records-per-second (default 100,000: the records one exporter may
 * add per receive second; the rest are counted as record_budget_exceeded and dropped), exporter-idle-seconds (default
 * 3,600: an exporter silent this long has its templates and other state dropped; it is learnt again when it returns).
 */
public final class FlowJob {
  private static final Set<String> OPTIONS = JobArgs.keys(ClickHouseArgs.KEYS, KafkaSources.KEYS, Set.of("group", "checkpoint-ms", "bounded", "topic-prefix",
      "exporter-records-per-second", "exporter-idle-seconds"));

  private FlowJob() {}

  public static void main(String[] args) throws Exception {
    JobArgs.run("sluice-flows", args, OPTIONS, FlowJob::build);
  }

  public static void build(StreamExecutionEnvironment env, Map<String, String> options) {
    build(env, options, stream -> stream);
  }

  /** As {@link #build(StreamExecutionEnvironment, Map)}, with {@code tap} applied to the datagrams (tests inject faults). */
  static void build(StreamExecutionEnvironment env, Map<String, String> options,
      java.util.function.UnaryOperator<DataStream<RawDatagram>> tap) {
    KafkaConnection kafka = KafkaSources.connection(options);
    boolean bounded = Boolean.parseBoolean(options.getOrDefault("bounded", "false"));
    String prefix = options.getOrDefault("topic-prefix", "");
    Checkpoints.exactlyOnce(env, options, 10_000);
    env.getConfig().enableObjectReuse(); // the decoder's reused FlowRecord goes straight into the chained sink

    // Event time is the collector's receive time; datagrams of one exporter arrive nearly in order, and, live, idle
    // partitions must not hold the watermark back. Bounded (replays), no partition is idle before its stopping
    // offset: a slow fetch would otherwise let the others move event time past its datagrams.
    WatermarkStrategy<RawDatagram> received = WatermarkStrategy.<RawDatagram>forBoundedOutOfOrderness(Duration.ofSeconds(2))
        .withTimestampAssigner((d, previous) -> d.receivedNs / 1_000_000L);
    if (!bounded) {
      received = received.withIdleness(Duration.ofSeconds(10));
    }
    DataStream<RawDatagram> datagrams = tap.apply(env.fromSource(
        KafkaSources.resuming(kafka, prefix + Topics.FLOWS_RAW, options.getOrDefault("group", "sluice-flows"), bounded,
            new KafkaRecords.Datagrams(), KafkaSources.BATCHED),
        received, Topics.FLOWS_RAW));
    BroadcastStream<SourceUpdate> sources = env.fromSource(
        // Idle once registrations stop coming: the decode operator's watermark is the minimum of both inputs,
        // and a registry input without watermarks would hold it (and the exporter_stats windows) back forever.
        KafkaSources.fromStart(kafka, prefix + Topics.SOURCES, bounded, new KafkaRecords.Sources()),
        WatermarkStrategy.<SourceUpdate>forMonotonousTimestamps().withIdleness(Duration.ofSeconds(5)),
        Topics.SOURCES).broadcast(DecodeFlows.REGISTRY);

    SingleOutputStreamOperator<FlowRecord> decoded = datagrams.keyBy(RawDatagram::key)
        .connect(sources)
        .process(new DecodeFlows(kafka, prefix + Topics.SOURCES, Long.parseLong(options.getOrDefault(
            "exporter-records-per-second", Long.toString(DecodeFlows.DEFAULT_RECORDS_PER_SECOND))),
            1000 * Long.parseLong(options.getOrDefault("exporter-idle-seconds", Long.toString(DecodeFlows.DEFAULT_IDLE_SECONDS)))),
            TypeInformation.of(FlowRecord.class))
        .name("decode");
    decoded.sinkTo(new ClickHouseSink<>(ClickHouseArgs.sink(options, "flows"), new FlowRowEncoder()))
        .name("clickhouse flows");
    decoded.getSideOutput(DecodeFlows.STATS)
        .keyBy(s -> java.util.HexFormat.of().formatHex(s.exporterAddr))
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
        .aggregate(new ExporterSecond(), new ExporterSecond.Emit())
        .name("exporter stats 1s")
        .sinkTo(new ClickHouseSink<>(ClickHouseArgs.sink(options, "exporter_stats"),
            new PreEncodedRows(DatagramStats.COLUMNS)))
        .name("clickhouse exporter_stats");
    decoded.getSideOutput(DecodeFlows.COUNTERS)
        .sinkTo(new ClickHouseSink<>(ClickHouseArgs.sink(options, "interface_counters"),
            new PreEncodedRows(InterfaceCountersEncoder.COLUMNS)))
        .name("clickhouse interface_counters");
  }
}
