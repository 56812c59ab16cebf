package io.sluice.cli.sources;

import io.sluice.ingest.DefaultEndpoints;
import io.sluice.ingest.KafkaConnection;
import io.sluice.cli.BadArgument;
import io.sluice.cli.KafkaReachable;
import io.sluice.cli.UserError;
import io.sluice.ingest.Topics;
import io.sluice.ingest.sources.InvalidSourceException;
import io.sluice.ingest.sources.Sources;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.ingest.sources.SourcesTopicException;
import io.sluice.store.ClickHouseException;
import io.sluice.wire.FlowSource;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The source registry: the compacted Kafka topic sluice.sources (the truth) and its ClickHouse mirror. A
 * registration (or removal) is validated, written to Kafka, then mirrored; when the mirror refuses it, Kafka is
 * rolled back to what it held before. Failures are {@link UserError}s that say what to do.
 */
public final class SourceRegistry {

  private final KafkaConnection kafka;
  private final String clickhouse;
  private final String database;
  private final String topicName;
  private boolean reachable;

  /** What {@link #add} did: the registration written and the one it replaced (null when new). */
  public record Added(FlowSource source, FlowSource previous) {
    /** "registered PREFIX as NAME, ..." or "updated ...", as `sluice sources add` prints it. */
    public String message() {
      return (previous == null ? "registered " : "updated ") + Sources.key(source) + " as " + source.getName()
          + SourcesCommand.describe(source);
    }
  }

  public SourceRegistry(KafkaConnection kafka, String clickhouse, String database) {
    this(kafka, clickhouse, database, Topics.SOURCES);
  }

  SourceRegistry(KafkaConnection kafka, String clickhouse, String database, String topicName) {
    this.kafka = kafka;
    this.clickhouse = clickhouse;
    this.database = database;
    this.topicName = topicName;
  }

  String clickhouse() {
    return clickhouse;
  }

  SourcesTopic topic() {
    if (!reachable) {
      KafkaReachable.check(kafka);
      reachable = true;
    }
    return new SourcesTopic(kafka, topicName);
  }

  SourcesMirror mirror() {
    BadArgument.httpUrl("--clickhouse", clickhouse);
    BadArgument.database("--database", database);
    return new SourcesMirror(clickhouse, database);
  }

  /** The registry as Kafka has it now; malformed records are reported on {@code err} and skipped. */
  Map<String, FlowSource> read(PrintWriter err) {
    try {
      return topic().readAll(Duration.ofSeconds(30), problem -> err.println("warning: " + problem));
    } catch (SourcesTopicException e) {
      throw new UserError(e.getMessage() + hint(), e);
    }
  }

  String hint() {
    return kafka.bootstrap().equals(DefaultEndpoints.KAFKA) ? " (is the local stack up? `sluice status`)" : "";
  }

  /**
   * Registers a source, or replaces the registration of the same prefix. Warnings go to {@code err}.
   *
   * @param mirror whether to write the ClickHouse mirror too (checked to be reachable before Kafka is written)
   * @throws InvalidSourceException when the request itself is invalid (nothing was read or written)
   * @throws UserError when it conflicts with another registration, or Kafka or the mirror cannot be written
   */
  public Added add(Sources.Request request, boolean mirror, PrintWriter err) throws InvalidSourceException {
    FlowSource source = Sources.build(request, nowNs());
    if (Sources.matchesEveryAddress(Sources.prefixOf(source))) {
      err.println("warning: " + Sources.key(source) + " accepts flows from every address that"
          + " can reach the collector (--allow-any); fence the collector's ports with network ACLs");
      err.flush();
    }
    SourcesMirror m = mirror ? mirror() : null;
    if (m != null) {
      m.preflight();
    }
    Map<String, FlowSource> current = read(err);
    try {
      Sources.checkConflicts(source, current);
    } catch (InvalidSourceException e) {
      throw new UserError(e.getMessage());
    }
    String key = Sources.key(source);
    FlowSource previous = current.get(key);
    write(() -> topic().put(source));
    if (m != null) {
      try {
        m.upsert(source);
      } catch (ClickHouseException e) {
        rollBack(key, previous);
        throw new UserError("cannot write the ClickHouse mirror at " + clickhouse + ": " + e.getMessage()
            + "; the registration was rolled back", e);
      }
    }
    return new Added(source, previous);
  }

  /**
   * Removes the registration {@code what} names (a prefix or a name) and returns it.
   *
   * @param mirror whether to write the removal to the ClickHouse mirror too
   * @throws UserError when nothing is registered so, or Kafka or the mirror cannot be written
   */
  public FlowSource remove(String what, boolean mirror, PrintWriter err) {
    SourcesMirror m = mirror ? mirror() : null;
    if (m != null) {
      m.preflight();
    }
    FlowSource s = SourcesCommand.find(read(err), what, false);
    String key = Sources.key(s);
    write(() -> topic().remove(key));
    if (m != null) {
      try {
        m.delete(s, Math.max(nowNs(), s.getUpdatedNs() + 1));
      } catch (ClickHouseException e) {
        try {
          topic().put(s);
        } catch (SourcesTopicException again) {
          throw new UserError("cannot write the ClickHouse mirror (" + e.getMessage() + ") and cannot restore " + key
              + " in Kafka (" + again.getMessage() + "): the source is removed; run `sluice sources sync` when ClickHouse is back", e);
        }
        throw new UserError("cannot write the ClickHouse mirror at " + clickhouse + ": " + e.getMessage()
            + "; the removal was rolled back", e);
      }
    }
    return s;
  }

  private void rollBack(String key, FlowSource previous) {
    if (previous == null) {
      write(() -> topic().remove(key));
    } else {
      write(() -> topic().put(previous));
    }
  }

  private void write(Runnable r) {
    try {
      r.run();
    } catch (SourcesTopicException e) {
      throw new UserError(e.getMessage() + hint(), e);
    }
  }

  static long nowNs() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
