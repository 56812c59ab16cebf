package io.sluice.l7;

import io.sluice.l7.reassembly.MemoryBudget;
import io.sluice.decode.l7.dns.DnsMessage;
import io.sluice.decode.l7.dns.DnsParser;

/**
 * What a {@link Conversation} works with but does not own: the limits, where rows and counts go, the buffer
 * budget, and scratch objects. One per thread: the offline engine has one, each L7Job subtask has one.
 */
public final class L7Context {
  final L7Config config;
  L7Summary summary;
  final L7Sink sink;
  final MemoryBudget budget;
  final DnsParser dnsParser = new DnsParser();
  final DnsMessage dnsMessage = new DnsMessage();
  /** The stored bytes of all pending DNS queries together (unbounded unless set). */
  MemoryBudget dnsPending = new MemoryBudget(Long.MAX_VALUE);

  public L7Context(L7Config config, L7Summary summary, L7Sink sink, MemoryBudget budget) {
    this.config = config;
    this.summary = summary;
    this.sink = sink;
    this.budget = budget;
  }

  public L7Config config() {
    return config;
  }

  /** Bounds the pending DNS queries of all conversations made with this context from now on. */
  public void dnsPendingBudget(MemoryBudget budget) {
    this.dnsPending = budget;
  }

  /** Where counts go from now on (the L7Job keeps one summary per node). */
  public void summary(L7Summary summary) {
    this.summary = summary;
  }
}
