package io.sluice.jobs.conn;

import io.sluice.ingest.KafkaConnection;
import io.sluice.conn.SocketSample;
import io.sluice.ingest.Topics;
import io.sluice.jobs.Checkpoints;
import io.sluice.jobs.ClickHouseArgs;
import io.sluice.jobs.JobArgs;
import io.sluice.jobs.KafkaSources;
import io.sluice.jobs.l7.CaptureWatermarks;
import io.sluice.jobs.l7.L7Job;
import io.sluice.l7.L7Config;
import io.sluice.store.rows.ConnectionRowEncoder;
import io.sluice.store.rows.PreEncodedRows;
import io.sluice.store.sink.ClickHouseSink;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * sluice.sockets.raw → keyBy socket (and peer, for UDP) → {@link TrackConnections} → the {@code connections} table,
 * exactly once. A job of its own rather than a stage of the L7Job: it needs no packets (a node may run the loader
 * for sockets only), its state is keyed by socket, not by conversation, and its rows come per minute of a lifetime,
 * not per exchange; so it scales, restarts and is upgraded without touching the L7 pipeline.
 *
 * <p>Event time is the event's; the watermark is built as the L7Job's ({@link CaptureWatermarks}: unbounded, a
 * silent partition follows the clock after {@code silence-ms}, so a connection's last rows are not held back
 * by a quiet node; a paused, backpressured or catching-up partition is not silent), and its partitions are aligned
 * as the L7Job's packets partitions are (max-drift-ms, default {@link L7Job#MAX_DRIFT_MS}). Arguments (key=value): kafka, clickhouse (or clickhouse-shards and clickhouse-cluster, see
 * {@link ClickHouseArgs}), database, group, checkpoint-ms, topic-prefix, out-of-orderness-ms, silence-ms,
 * slice-s (60: a long lifetime's row interval), tcp-idle-s (3600: a TCP lifetime with no event for this long
 * ends as {@code expired}), udp-idle-s (30: a UDP socket and peer with no send announced for this long ends as
 * {@code idle}; the loader announces at most every 10 s), bounded=true (stop at the offsets present at start).
 */
public final class ConnectionsJob {
  private static final Set<String> OPTIONS = JobArgs.keys(ClickHouseArgs.KEYS, KafkaSources.KEYS, Set.of("group", "checkpoint-ms",
      "bounded", "topic-prefix", "out-of-orderness-ms", "silence-ms", "slice-s", "tcp-idle-s", "udp-idle-s",
      "max-drift-ms"));
  private static final long S = 1_000_000_000L;

  private ConnectionsJob() {}

  public static void main(String[] args) throws Exception {
    JobArgs.run("sluice-connections", args, OPTIONS, ConnectionsJob::build);
  }

  public static void build(StreamExecutionEnvironment env, Map<String, String> options) {
    KafkaConnection kafka = KafkaSources.connection(options);
    String prefix = options.getOrDefault("topic-prefix", "");
    boolean bounded = Boolean.parseBoolean(options.getOrDefault("bounded", "false"));
    long outOfOrdernessMs = Long.parseLong(options.getOrDefault("out-of-orderness-ms",
        Long.toString(L7Config.OUT_OF_ORDERNESS_NS / 1_000_000L)));
    long silenceMs = Long.parseLong(options.getOrDefault("silence-ms", "250"));
    long sliceNs = seconds(options, "slice-s", 60);
    long tcpIdleNs = seconds(options, "tcp-idle-s", 3600);
    long udpIdleNs = seconds(options, "udp-idle-s", 30);
    Checkpoints.exactlyOnce(env, options, 10_000);

    WatermarkStrategy<SocketSample> watermarks = (bounded
        // Bounded (replays): no idleness, every partition holds event time until it reaches its stopping offset.
        ? WatermarkStrategy.<SocketSample>forBoundedOutOfOrderness(Duration.ofMillis(outOfOrdernessMs))
            .withTimestampAssigner((SerializableTimestampAssigner<SocketSample>) (s, previous) -> s.eventNs / 1_000_000L)
        : CaptureWatermarks.<SocketSample>live(outOfOrdernessMs, silenceMs, (s, previous) -> s.eventNs / 1_000_000L))
        // Reading a backlog, a partition ahead of the slowest is paused rather than filling state with lifetimes
        // event time cannot end yet; CaptureWatermarks counts no silence while it is paused.
        .withWatermarkAlignment("sluice-connections-sockets", Duration.ofMillis(Long.parseLong(
            options.getOrDefault("max-drift-ms", Long.toString(L7Job.MAX_DRIFT_MS)))), Duration.ofMillis(100));
    env.fromSource(KafkaSources.resuming(kafka, prefix + Topics.SOCKETS_RAW,
            options.getOrDefault("group", "sluice-connections"), bounded, new SocketSamples()), watermarks,
            Topics.SOCKETS_RAW)
        .keyBy(SocketSample::key)
        .process(new TrackConnections(sliceNs, tcpIdleNs, udpIdleNs), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
        .name("track connections")
        .sinkTo(new ClickHouseSink<>(ClickHouseArgs.sink(options, "connections"),
            new PreEncodedRows(ConnectionRowEncoder.COLUMNS)))
        .name("clickhouse connections");
  }

  private static long seconds(Map<String, String> options, String key, long fallback) {
    long s = Long.parseLong(options.getOrDefault(key, Long.toString(fallback)));
    if (s <= 0) {
      throw new IllegalArgumentException(key + " must be positive, not " + s);
    }
    return s * S;
  }
}
