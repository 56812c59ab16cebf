package io.sluice.jobs;

import io.sluice.store.ClickHouseHttp;
import io.sluice.store.schema.ClusterDdl;
import io.sluice.store.sink.ClickHouseSink;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import io.sluice.store.sink.SinkSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Proves a deployment's exactly-once path into ClickHouse: writes ids 0..rows-1 through the ClickHouse sink at a
 * set rate, with checkpoints and restarts on. Afterwards {@code SELECT count(), uniqExact(id)} must both equal
 * rows, whatever crashed in between.
 *
 * <p>Arguments: clickhouse=URL (or clickhouse-shards=URL,URL clickhouse-cluster=NAME, see {@link ClickHouseArgs})
 * database=D table=T rows=N rate=PER_SECOND checkpoint-ms=MS. On a cluster, read the counts through the
 * Distributed table T.
 */
public final class SinkCheckJob {
  private static final Set<String> OPTIONS = JobArgs.keys(ClickHouseArgs.KEYS, Set.of("table", "rows", "rate", "checkpoint-ms"));

  private SinkCheckJob() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = JobArgs.parse(args, OPTIONS);
    SinkSettings settings = ClickHouseArgs.sink(options, options.getOrDefault("table", "sink_check"));
    long rows = Long.parseLong(options.getOrDefault("rows", "1000000"));
    double rate = Double.parseDouble(options.getOrDefault("rate", "100000"));
    long checkpointMs = Long.parseLong(options.getOrDefault("checkpoint-ms", "1000"));
    createTable(settings);

    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.enableCheckpointing(checkpointMs, CheckpointingMode.EXACTLY_ONCE);
    pipeline(env, rows, rate).sinkTo(new ClickHouseSink<>(settings, new IdEncoder())).name("clickhouse");
    env.execute("sluice-sink-check");
  }

  /** The ids 0..rows-1, replayable from a checkpoint. */
  public static DataStream<Long> pipeline(StreamExecutionEnvironment env, long rows, double ratePerSecond) {
    DataGeneratorSource<Long> source = new DataGeneratorSource<>(index -> index, rows,
        RateLimiterStrategy.perSecond(ratePerSecond), Types.LONG);
    return env.fromSource(source, WatermarkStrategy.noWatermarks(), "ids");
  }

  /** The check table; on a cluster, sharded and replicated as the migrations lay out theirs. */
  public static void createTable(SinkSettings settings) {
    String ddl = "CREATE TABLE IF NOT EXISTS " + settings.table()
        + " (id UInt64, value UInt64, ingest_batch UInt64) ENGINE = MergeTree() ORDER BY id";
    ClickHouseHttp server = new ClickHouseHttp(settings.url(), null);
    ClickHouseHttp db = server.withDatabase(settings.database());
    if (!settings.clustered()) {
      server.execute("CREATE DATABASE IF NOT EXISTS " + settings.database());
      db.execute(ddl);
      return;
    }
    ClusterDdl cluster = new ClusterDdl(settings.cluster(), settings.database(), Set.of(settings.table()));
    server.execute(cluster.createDatabase());
    cluster.rewrite(ddl).forEach(db::execute);
  }

  /** id and a value derived from it, so a mixed-up row would show. */
  public static final class IdEncoder implements RowEncoder<Long> {
    @Override
    public List<String> columns() {
      return List.of("id", "value");
    }

    @Override
    public void encode(Long id, RowBinary out) {
      out.uint64(id).uint64(id * 31 + 7);
    }
  }
}
