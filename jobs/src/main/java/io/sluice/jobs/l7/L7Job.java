package io.sluice.jobs.l7;

import io.sluice.ingest.KafkaConnection;
import io.sluice.ingest.Topics;
import io.sluice.jobs.Checkpoints;
import io.sluice.jobs.ClickHouseArgs;
import io.sluice.jobs.JobArgs;
import io.sluice.jobs.KafkaSources;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Summary;
import io.sluice.store.rows.DnsRowEncoder;
import io.sluice.store.rows.HttpRowEncoder;
import io.sluice.store.rows.TlsRowEncoder;
import io.sluice.store.rows.PreEncodedRows;
import io.sluice.store.sink.ClickHouseSink;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.CustomSinkOperatorUidHashes;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * sluice.packets.raw → triage (parse once; fragments aside) → keyBy datagram → reassemble → keyBy node and
 * conversation, with sluice.sockets.raw keyed the same way → the L7 parse-and-join in keyed state, driven by
 * event-time timers, each row with its client's process from the socket events → the {@code dns}, {@code http}
 * (HTTP/1.x and HTTP/2) and {@code tls} tables, exactly once. The sockets topic may be empty (replays of capture files): rows then have no process.
 *
 * <p>Event time is the capture time, with a watermark {@code out-of-orderness-ms} behind the latest one (default
 * {@link L7Config#OUT_OF_ORDERNESS_NS}, as offline); unbounded, a partition silent for {@code silence-ms} (default
 * 250) moves on with the clock ({@link CaptureWatermarks}), so rows and timeouts come out on time when the traffic
 * stops; time in which its split is paused or backpressured, or in which it is still catching up a backlog, is not
 * silence. Arguments (key=value): kafka, clickhouse (or clickhouse-shards
 * and clickhouse-cluster, see {@link ClickHouseArgs}), database, group, checkpoint-ms, topic-prefix, out-of-orderness-ms, and bounded=true to stop at the offsets that exist when the
 * job starts (replays and tests; pending requests are then flushed as the offline {@code finish()} does),
 * dns-pending-bytes (default 256 MiB: the stored bytes of the DNS queries awaiting an answer in the whole job; past
 * it, or past {@link io.sluice.l7.DnsJoin#MAX_PENDING_BYTES} on one conversation, the oldest time out early, counted),
 * max-conversations (default 300,000: the conversations, i.e. keys holding join state, open at once in the whole job,
 * {@code max-conversations / parallelism} per subtask; at about 1.15 KB of heap each, 150,000 per subtask ≈ 173 MB of the
 * base TaskManager's ≈ 585 MB of task heap per slot; past it a packet of a new conversation is dropped and counted as
 * {@code conversation_limit}, open ones go on), max-drift-ms (default {@link #MAX_DRIFT_MS}: how far
 * in event time a packets partition may read ahead of the slowest one before it is paused, so that reading a backlog,
 * bounded or live, does not fill the join with conversations the watermark cannot close yet; it must exceed the
 * nodes' clock skew, or a node whose clock runs ahead is held back by the difference).
 */
public final class L7Job {
  private static final Set<String> OPTIONS = JobArgs.keys(ClickHouseArgs.KEYS, KafkaSources.KEYS, Set.of("group", "checkpoint-ms",
      "bounded", "topic-prefix", "out-of-orderness-ms", "silence-ms",
      "dns-pending-bytes", "max-conversations", "max-drift-ms"));

  /**
   * The packets partitions' watermark alignment without {@code max-drift-ms}. Without alignment, a
   * partition whose fetches lag while the job reads a backlog holds the watermark back while the others run ahead:
   * their conversations pile up in the join until {@code max-conversations} refuses new ones (measured: 282,567
   * packets refused in a `bench l7` of 1,000 copies; BENCHMARKS.md, issue 22 sixth round).
   */
  public static final long MAX_DRIFT_MS = 10_000;

  /** The checkpoint (and commit) interval without {@code checkpoint-ms} (the k8s manifests give 30000). */
  public static final long CHECKPOINT_MS = 10_000;

  /**
   * How often each packets partition's watermark is taken and checked against the alignment (the job's
   * auto-watermark interval and the alignment's update interval; Flink's defaults 200 and the 100 ms set before).
   * Alignment pauses a partition only at these checks, and a partition read alone moves event time by its records'
   * span per ms of reading: in {@code bench l7} (one node's capture, 11 s of event time in 4,700 packets per partition)
   * about 130 s of event time per second, so 100-200 ms between checks let a partition run about 13-26 s past the max drift.
   */
  static final long ALIGNMENT_CHECK_MS = 50;

  /**
   * The committers' operator ids while they were chained to the join (generated by Flink from the graph up to
   * 03f818a; no operator of the job has a uid). A committer keeps the batches of a completed checkpoint that are not
   * committed yet: under these ids, a checkpoint or savepoint of that job restores into this one.
   */
  static final String DNS_COMMITTER_ID = "6f55de9d9895b75838eb20a5c25c60db";
  static final String HTTP_COMMITTER_ID = "69654c62c6f6cf9b085bd0ce9afbf18a";
  static final String TLS_COMMITTER_ID = "981022caa7c4d4f661ed070bdb13d8f3";

  private L7Job() {}

  private static CustomSinkOperatorUidHashes committerAsChained(String id) {
    return CustomSinkOperatorUidHashes.builder().setCommitterUidHash(id).build();
  }

  /**
   * The packets consumers' settings under {@code consumer}'s (tests'): what a partition reads past the moment
   * alignment pauses it is the records already fetched, i.e. Flink's queued fetches (2 by default) of up to
   * {@code max.poll.records} (500 by default: 32,000 packets at the loader's 64 a record, 80 s of {@code bench l7}'s
   * event time in one partition). One queued fetch of 32 records bounds that at 4,096 packets.
   */
  static Map<String, String> packetsConsumer(Map<String, String> consumer) {
    Map<String, String> settings = new java.util.HashMap<>(Map.of("max.poll.records", "32",
        "source.reader.element.queue.capacity", "1"));
    settings.putAll(consumer);
    return settings;
  }

  public static void main(String[] args) throws Exception {
    JobArgs.run("sluice-l7", args, OPTIONS, L7Job::build);
  }

  public static void build(StreamExecutionEnvironment env, Map<String, String> options) {
    build(env, options, stream -> stream);
  }

  /** As {@link #build(StreamExecutionEnvironment, Map)}, with {@code tap} applied to the frames (tests inject faults). */
  public static void build(StreamExecutionEnvironment env, Map<String, String> options,
      UnaryOperator<DataStream<CapturedFrame>> tap) {
    build(env, options, tap, Map.of());
  }

  /** As above, with further settings for the Kafka consumers (tests stall a consumer with an interceptor). */
  static void build(StreamExecutionEnvironment env, Map<String, String> options,
      UnaryOperator<DataStream<CapturedFrame>> tap, Map<String, String> consumer) {
    KafkaConnection kafka = KafkaSources.connection(options);
    String prefix = options.getOrDefault("topic-prefix", "");
    boolean bounded = Boolean.parseBoolean(options.getOrDefault("bounded", "false"));
    long outOfOrdernessMs = Long.parseLong(options.getOrDefault("out-of-orderness-ms",
        Long.toString(L7Config.OUT_OF_ORDERNESS_NS / 1_000_000L)));
    Checkpoints.exactlyOnce(env, options, CHECKPOINT_MS);
    // No operator keeps or changes a record it was given: chained operators hand frames on without a copy.
    env.getConfig().enableObjectReuse();
    env.getConfig().setAutoWatermarkInterval(ALIGNMENT_CHECK_MS); // each source's watermark, and its alignment check

    long silenceMs = Long.parseLong(options.getOrDefault("silence-ms", "250"));
    // Bounded runs (replays) keep pure event time: a replay's capture times are not the wall clock, and no partition
    // is ever idle: each holds the watermark until it reaches its stopping offset (its split then finishes and is
    // released), however long its records take to come. An idle timeout here let a partition whose fetch was slow
    // (a busy machine) fall behind a watermark the others had moved on: its packets came late and mis-joined.
    // Every run aligns the packets partitions: CaptureWatermarks counts no silence while alignment pauses a split,
    // and live, a packets partition that has not had its first record holds the others (liveAligned).
    WatermarkStrategy<CapturedFrame> captured = (bounded
        ? WatermarkStrategy.<CapturedFrame>forBoundedOutOfOrderness(Duration.ofMillis(outOfOrdernessMs))
            .withTimestampAssigner((SerializableTimestampAssigner<CapturedFrame>) (f, previous) -> f.capturedNs / 1_000_000L)
        : CaptureWatermarks.<CapturedFrame>liveAligned(outOfOrdernessMs, silenceMs, (f, previous) -> f.capturedNs / 1_000_000L))
        .withWatermarkAlignment("sluice-l7-packets",
            Duration.ofMillis(Long.parseLong(options.getOrDefault("max-drift-ms", Long.toString(MAX_DRIFT_MS)))),
            Duration.ofMillis(ALIGNMENT_CHECK_MS));
    WatermarkStrategy<KeyedSocket> seen = bounded
        ? WatermarkStrategy.<KeyedSocket>forBoundedOutOfOrderness(Duration.ofMillis(outOfOrdernessMs))
            .withTimestampAssigner((SerializableTimestampAssigner<KeyedSocket>) (s, previous) -> s.eventNs / 1_000_000L)
        : CaptureWatermarks.<KeyedSocket>live(outOfOrdernessMs, silenceMs, (s, previous) -> s.eventNs / 1_000_000L);
    DataStream<CapturedFrame> frames = tap.apply(env.fromSource(
        KafkaSources.resuming(kafka, prefix + Topics.PACKETS_RAW, options.getOrDefault("group", "sluice-l7"), bounded,
            new PacketRecords(), packetsConsumer(consumer)),
        captured, Topics.PACKETS_RAW));
    SingleOutputStreamOperator<KeyedPacket> triaged = frames
        .process(new TriagePackets(), TypeInformation.of(KeyedPacket.class)).name("triage");
    DataStream<KeyedPacket> reassembled = triaged.getSideOutput(TriagePackets.FRAGMENTS)
        .keyBy(KeyedPacket::key, PacketKeySerializer.TYPE)
        .process(new ReassembleFragments(), TypeInformation.of(KeyedPacket.class)).name("reassemble fragments");
    DataStream<KeyedSocket> sockets = env.fromSource(
        KafkaSources.resuming(kafka, prefix + Topics.SOCKETS_RAW, options.getOrDefault("group", "sluice-l7"), bounded,
            new SocketRecords(), consumer),
        seen, Topics.SOCKETS_RAW);
    SingleOutputStreamOperator<byte[]> dns = triaged.union(reassembled)
        .connect(sockets)
        .keyBy(KeyedPacket::key, KeyedSocket::key, PacketKeySerializer.TYPE)
        .transform("join dns/http", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO,
            new JoinOperator(new JoinConversations(Long.parseLong(options.getOrDefault("dns-pending-bytes",
                Long.toString(JoinConversations.DEFAULT_DNS_PENDING_BYTES))),
                Long.parseLong(options.getOrDefault("max-conversations",
                    Long.toString(JoinConversations.DEFAULT_MAX_CONVERSATIONS))))));

    // The sinks' writers stay chained to the join; their commits run in tasks of their own and their staging inserts
    // on threads of their own, so the join goes on taking packets while ClickHouse works (BENCHMARKS.md, issue 22
    // eleventh and thirteenth rounds).
    dns.sinkTo(new ClickHouseSink<>(ClickHouseArgs.sink(options, "dns"), new PreEncodedRows(DnsRowEncoder.COLUMNS))
            .committedApart().stagedInBackground(), committerAsChained(DNS_COMMITTER_ID))
        .name("clickhouse dns");
    dns.getSideOutput(JoinConversations.HTTP)
        .sinkTo(new ClickHouseSink<>(ClickHouseArgs.sink(options, "http"), new PreEncodedRows(HttpRowEncoder.COLUMNS))
            .committedApart().stagedInBackground(), committerAsChained(HTTP_COMMITTER_ID))
        .name("clickhouse http");
    dns.getSideOutput(JoinConversations.TLS)
        .sinkTo(new ClickHouseSink<>(ClickHouseArgs.sink(options, "tls"), new PreEncodedRows(TlsRowEncoder.COLUMNS))
            .committedApart().stagedInBackground(), committerAsChained(TLS_COMMITTER_ID))
        .name("clickhouse tls");
  }

  /** The totals per node of a finished (bounded) run, as the offline {@code sluice l7} summary counts them. */
  public static Map<String, L7Summary> summaries(JobExecutionResult result) {
    return NodeSummaries.fromAccumulators(result.getAllAccumulatorResults());
  }
}
