package io.sluice.jobs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

/**
 * The state backend a bench's arguments name from {@code from} on: {@code heap} or {@code rocksdb}, then Flink options
 * as {@code KEY=VALUE} given to the RocksDB backend as a TaskManager's configuration gives them (the manifests' keys).
 */
public final class BenchStateBackend {
  private BenchStateBackend() {}

  public static StateBackend fromArgs(String[] args, int from) {
    if (args.length <= from || !args[from].equals("rocksdb")) {
      return new HashMapStateBackend();
    }
    Configuration options = new Configuration();
    for (int i = from + 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      options.setString(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    return new EmbeddedRocksDBStateBackend().configure(options, BenchStateBackend.class.getClassLoader());
  }

  /** The arguments from {@code from} on, as the bench's output names the backend. */
  public static String describe(String[] args, int from) {
    return args.length <= from ? "heap" : String.join(" ", java.util.Arrays.copyOfRange(args, from, args.length));
  }
}
