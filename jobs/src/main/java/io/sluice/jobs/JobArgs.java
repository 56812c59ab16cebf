package io.sluice.jobs;

import java.util.HashMap;
import java.util.function.BiConsumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import java.util.Map;
import java.util.Set;

/** Job arguments as key=value pairs; an unknown key or a bare word is an error that lists the known keys. */
public final class JobArgs {
  private JobArgs() {}

  public static Map<String, String> parse(String[] args, Set<String> known) {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String key = eq < 1 ? arg : arg.substring(0, eq);
      if (eq < 1 || !known.contains(key)) {
        throw new IllegalArgumentException("unknown argument '" + arg + "': use key=value with key one of "
            + new java.util.TreeSet<>(known));
      }
      options.put(key, arg.substring(eq + 1));
    }
    return options;
  }

  /** The union of key sets: a job's own keys and shared ones such as {@link ClickHouseArgs#KEYS}. */
  @SafeVarargs
  public static Set<String> keys(Set<String>... sets) {
    Set<String> all = new java.util.HashSet<>();
    for (Set<String> set : sets) {
      all.addAll(set);
    }
    return Set.copyOf(all);
  }

  /**
   * A job's main: its arguments checked against {@code known}, the pipeline built on an environment that restarts
   * with exponential delay (a job must outlive a broker or ClickHouse restart), and run under {@code name}.
   */
  public static void run(String name, String[] args, Set<String> known,
      BiConsumer<StreamExecutionEnvironment, Map<String, String>> build) throws Exception {
    Map<String, String> options = parse(args, known);
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    build.accept(env, options);
    env.execute(name);
  }
}
