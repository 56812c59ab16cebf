package io.sluice.jobs;

import io.sluice.store.ClickHouseHttp;
import io.sluice.store.sink.ClickHouseSink;
import io.sluice.store.sink.RowBinary;
import io.sluice.store.sink.RowEncoder;
import io.sluice.store.sink.SinkSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Arguments: clickhouse=URL database=D table=T rows=N rate=PER_SECOND checkpoint-ms=MS
 */
public final class SinkCheckJob {
  private SinkCheckJob() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    SinkSettings settings = SinkSettings.of(options.getOrDefault("clickhouse", "http://127.0.0.1:8123"),
        options.getOrDefault("database", "sluice"), options.getOrDefault("table", "sink_check"));
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

  public static void createTable(SinkSettings settings) {
    new ClickHouseHttp(settings.url(), null).execute("CREATE DATABASE IF NOT EXISTS " + settings.database());
    new ClickHouseHttp(settings.url(), settings.database()).execute("CREATE TABLE IF NOT EXISTS " + settings.table()
        + " (id UInt64, value UInt64, ingest_batch UInt64) ENGINE = MergeTree() ORDER BY id");
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

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
      }
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return options;
  }
}
