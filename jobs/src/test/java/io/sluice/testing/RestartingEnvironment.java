package io.sluice.testing;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The environment of the fault tests: restarts on failure (fixed delay 200 ms), exactly-once checkpoints. */
public final class RestartingEnvironment {
  private RestartingEnvironment() {}

  public static Configuration restarting(int attempts) {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, attempts);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
    return conf;
  }

  /** Parallelism 2, so a failure restarts more than one subtask, and a checkpoint every checkpointMs. */
  public static StreamExecutionEnvironment create(int attempts, long checkpointMs) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarting(attempts));
    env.setParallelism(2);
    env.enableCheckpointing(checkpointMs, CheckpointingMode.EXACTLY_ONCE);
    return env;
  }
}
