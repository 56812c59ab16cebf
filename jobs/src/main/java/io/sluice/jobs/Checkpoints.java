package io.sluice.jobs;

import java.util.Map;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** How every Sluice job checkpoints: exactly once, every {@code checkpoint-ms}, keyed state snapshots compressed. */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * Compressed, because a heap keyed-state snapshot on a local file system ({@code file://}, the stack's and a
   * volume's) is otherwise restored through an unbuffered stream: one read(2) per byte of every key and string. An
   * L7Job restoring ~50-100 MB that way took 15-35 s of a core per failover ({@code bench l7}, ninth round); the
   * compressed stream reads in blocks. Snapshots written uncompressed still restore (the flag is in each snapshot).
   */
  public static void exactlyOnce(StreamExecutionEnvironment env, Map<String, String> options, long defaultMs) {
    env.enableCheckpointing(Long.parseLong(options.getOrDefault("checkpoint-ms", Long.toString(defaultMs))),
        CheckpointingMode.EXACTLY_ONCE);
    env.getConfig().setUseSnapshotCompression(true);
  }
}
