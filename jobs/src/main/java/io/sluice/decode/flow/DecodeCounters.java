package io.sluice.decode.flow;

import java.util.EnumMap;
import java.util.Map;

/** Counts of datagrams by protocol, of what was decoded, and of decode problems by reason. Not thread-safe. */
public final class DecodeCounters {
  private final long[] datagrams = new long[FlowType.values().length];
  private final long[] records = new long[RecordKind.values().length];
  private final long[] problems = new long[DecodeProblem.values().length];

  public void datagram(FlowType type) {
    datagrams[type.ordinal()]++;
  }

  public void record(RecordKind kind) {
    records[kind.ordinal()]++;
  }

  public void record(RecordKind kind, long n) {
    records[kind.ordinal()] += n;
  }

  public void problem(DecodeProblem problem) {
    problems[problem.ordinal()]++;
  }

  public void problem(DecodeProblem problem, long n) {
    problems[problem.ordinal()] += n;
  }

  public long datagrams(FlowType type) {
    return datagrams[type.ordinal()];
  }

  public long records(RecordKind kind) {
    return records[kind.ordinal()];
  }

  public long problems(DecodeProblem problem) {
    return problems[problem.ordinal()];
  }

  public long totalProblems() {
    long n = 0;
    for (long p : problems) n += p;
    return n;
  }

  /** Non-zero problem counts, in declaration order. */
  public Map<DecodeProblem, Long> problems() {
    Map<DecodeProblem, Long> m = new EnumMap<>(DecodeProblem.class);
    for (DecodeProblem p : DecodeProblem.values()) if (problems[p.ordinal()] != 0) m.put(p, problems[p.ordinal()]);
    return m;
  }

  public Map<RecordKind, Long> records() {
    Map<RecordKind, Long> m = new EnumMap<>(RecordKind.class);
    for (RecordKind k : RecordKind.values()) if (records[k.ordinal()] != 0) m.put(k, records[k.ordinal()]);
    return m;
  }

  public Map<FlowType, Long> datagrams() {
    Map<FlowType, Long> m = new EnumMap<>(FlowType.class);
    for (FlowType t : FlowType.values()) if (datagrams[t.ordinal()] != 0) m.put(t, datagrams[t.ordinal()]);
    return m;
  }

  public void add(DecodeCounters o) {
    for (int i = 0; i < datagrams.length; i++) datagrams[i] += o.datagrams[i];
    for (int i = 0; i < records.length; i++) records[i] += o.records[i];
    for (int i = 0; i < problems.length; i++) problems[i] += o.problems[i];
  }
}
