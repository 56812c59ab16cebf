package io.sluice.ingest;

import java.util.List;
import java.util.Map;

/** The Kafka topics Sluice uses, with their keys; ingest/README.md documents the same list. */
public final class Topics {
  /** Raw flow datagrams, keyed by exporter address so one exporter's templates and data stay in order. */
  public static final String FLOWS_RAW = "sluice.flows.raw";
  /** Captured packets, keyed by the unordered address/port pair. */
  public static final String PACKETS_RAW = "sluice.packets.raw";
  /** Socket events from the eBPF loader, keyed like packets. */
  public static final String SOCKETS_RAW = "sluice.sockets.raw";
  /** The flow-source registry, compacted, keyed by canonical prefix. */
  public static final String SOURCES = "sluice.sources";

  public record Spec(String name, int partitions, Map<String, String> config) {}

  public static final List<Spec> ALL = List.of(
      new Spec(FLOWS_RAW, 4, Map.of("retention.ms", Long.toString(24L * 3600 * 1000), "compression.type", "producer")),
      new Spec(PACKETS_RAW, 4, Map.of("retention.ms", Long.toString(24L * 3600 * 1000), "compression.type", "producer")),
      new Spec(SOCKETS_RAW, 4, Map.of("retention.ms", Long.toString(24L * 3600 * 1000))),
      new Spec(SOURCES, 1, Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0")));

  private Topics() {}
}
