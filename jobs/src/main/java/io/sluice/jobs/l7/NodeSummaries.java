package io.sluice.jobs.l7;

import io.sluice.l7.L7Summary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;

/**
 * One operator subtask's L7 totals per node. They are operator state, checkpointed with the source offsets, so
 * after a restart they count each packet once, like the rows. Exported as metrics (gauges over all nodes) and,
 * when the subtask closes, as accumulators named {@code l7|NODE|COUNTER} (bounded runs and tests read them).
 */
final class NodeSummaries {
  static final String ACCUMULATOR_PREFIX = "l7|";

  private final Map<String, L7Summary> byNode = new HashMap<>();
  private transient ListState<byte[]> state;
  /** The gauges' totals, and when they were summed: one report's reads of them come within this age. */
  private static final long TOTALS_MAX_AGE_NS = 100_000_000L;
  private Map<String, Long> totals;
  private long totalsNs;

  L7Summary of(String node) {
    return byNode.computeIfAbsent(node, n -> new L7Summary());
  }

  void initialize(FunctionInitializationContext context, String name) throws Exception {
    state = context.getOperatorStateStore().getListState(
        new ListStateDescriptor<>(name, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    if (context.isRestored()) {
      for (byte[] saved : state.get()) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(saved));
        L7Summary s = of(in.readUTF());
        Map<String, Long> counts = new HashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
          counts.put(in.readUTF(), in.readLong());
        }
        s.add(counts);
      }
    }
  }

  void snapshot() throws Exception {
    List<byte[]> saved = new ArrayList<>();
    for (Map.Entry<String, L7Summary> e : byNode.entrySet()) {
      saved.add(encode(e.getKey(), e.getValue()));
    }
    state.update(saved);
  }

  private static byte[] encode(String node, L7Summary summary) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeUTF(node);
    Map<String, Long> counts = summary.counts();
    counts.values().removeIf(v -> v == 0);
    out.writeInt(counts.size());
    for (Map.Entry<String, Long> c : counts.entrySet()) {
      out.writeUTF(c.getKey());
      out.writeLong(c.getValue());
    }
    return bytes.toByteArray();
  }

  void registerMetrics(RuntimeContext runtime) {
    var group = runtime.getMetricGroup().addGroup("sluice");
    for (String name : new L7Summary().counts().keySet()) {
      group.gauge("l7_" + name.replace('.', '_'), () -> total(name));
    }
  }

  /**
   * A metrics report reads every gauge at once: the totals over all nodes are summed once for all of them (each gauge
   * summing its counter over every node's {@code counts()} made nodes × gauges maps per report).
   */
  private long total(String name) {
    long now = System.nanoTime();
    if (totals == null || now - totalsNs > TOTALS_MAX_AGE_NS) {
      Map<String, Long> sums = new HashMap<>();
      for (L7Summary s : byNode.values()) {
        s.counts().forEach((counter, n) -> sums.merge(counter, n, Long::sum));
      }
      totals = sums;
      totalsNs = now;
    }
    return totals.getOrDefault(name, 0L);
  }

  void publish(RuntimeContext runtime) {
    for (Map.Entry<String, L7Summary> e : byNode.entrySet()) {
      for (Map.Entry<String, Long> c : e.getValue().counts().entrySet()) {
        if (c.getValue() != 0) {
          runtime.getLongCounter(ACCUMULATOR_PREFIX + e.getKey() + "|" + c.getKey()).add(c.getValue());
        }
      }
    }
  }

  /** The per-node totals of a finished job's accumulators. */
  static Map<String, L7Summary> fromAccumulators(Map<String, Object> accumulators) {
    Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
    accumulators.forEach((name, value) -> {
      if (name.startsWith(ACCUMULATOR_PREFIX)) {
        int bar = name.lastIndexOf('|');
        counts.computeIfAbsent(name.substring(ACCUMULATOR_PREFIX.length(), bar), n -> new HashMap<>())
            .merge(name.substring(bar + 1), ((Number) value).longValue(), Long::sum);
      }
    });
    Map<String, L7Summary> out = new LinkedHashMap<>();
    counts.forEach((node, c) -> {
      L7Summary s = new L7Summary();
      s.add(c);
      out.put(node, s);
    });
    return out;
  }
}
