package io.sluice.jobs.flow;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowType;
import io.sluice.decode.flow.InterfaceCounters;
import io.sluice.jobs.DecodeFaults;
import io.sluice.store.rows.InterfaceCountersEncoder;
import io.sluice.ingest.KafkaConnection;
import io.sluice.ingest.sources.SourceTable;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.wire.FlowSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes one exporter's datagrams with its template and sampling state kept in keyed state (a restart does not
 * wait for templates to be re-sent), and labels the records from the source registry.
 *
 * <p>The registry arrives as broadcast state. Because a broadcast input has no ordering against the datagrams, the
 * operator also reads the whole registry once when it opens, so that the first datagrams are already labelled. For the
 * same reason a collector may accept an exporter's first datagrams under a registration the broadcast side has not
 * delivered yet; each datagram says which version it was accepted under, and when that is newer than what the operator
 * knows, it reads the registry topic again (at most every {@link #CATCH_UP_INTERVAL_NS}).
 *
 * <p>The exporter's state is stored in two parts: its templates, options and pending data sets only when they changed
 * ({@link ExporterState#version()}), and its small sequence trackers with every datagram. An exporter not heard from
 * for the idle time is forgotten (its keyed state cleared by a processing-time timer, its budget and decoded state
 * dropped from memory); if it comes back, it is learnt again from its next templates.
 */
final class DecodeFlows extends KeyedBroadcastProcessFunction<String, RawDatagram, SourceUpdate, FlowRecord> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DecodeFlows.class);
  /** Per datagram, for the 1-second exporter_stats window. */
  static final OutputTag<DatagramStats> STATS = new OutputTag<>("exporter-stats", TypeInformation.of(DatagramStats.class));
  /** sFlow counter samples, already encoded as interface_counters rows. */
  static final OutputTag<byte[]> COUNTERS = new OutputTag<>("interface-counters",
      PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
  static final MapStateDescriptor<String, byte[]> REGISTRY =
      new MapStateDescriptor<>("sources", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  /** A catch-up blocks the subtask while it reads the registry topic, so it is rate-limited. */
  static final long CATCH_UP_INTERVAL_NS = 5_000_000_000L;
  /** After failed reads of the registry topic, the interval doubles up to this. */
  static final long MAX_CATCH_UP_INTERVAL_NS = 300_000_000_000L;
  static final Duration OPEN_READ_TIMEOUT = Duration.ofSeconds(30);
  static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(10);

  /** Records one exporter may add per receive second before the rest are counted and dropped (flood guard). */
  static final long DEFAULT_RECORDS_PER_SECOND = 100_000;

  /** An exporter silent this long is forgotten. */
  static final long DEFAULT_IDLE_SECONDS = 3_600;

  private final KafkaConnection kafka;
  private final String sourcesTopic;
  private final long recordsPerSecond;
  private final long idleMs;
  /** Templates, options, names and pending sets: written when they change. */
  private transient ValueState<byte[]> exporterState;
  /** The sequence trackers: written with every datagram. */
  private transient ValueState<byte[]> sequenceState;
  /** The start of the time slot ({@link #slotMs()}) the exporter was last heard in (processing time). */
  private transient ValueState<Long> lastSeen;
  private transient Map<String, Exporter> live;
  private transient long stateWrites;
  private transient long storedBytes;
  private transient long expired;
  private transient FlowDecoder decoder;
  private transient DecodeCounters counters;
  private transient SourceTable table;
  private transient Map<String, FlowSource> loaded;
  private transient EmittingSink sink;
  private transient long unreadableStates;
  private transient long catchUps;
  private transient long lastCatchUpNs;
  private transient long catchUpIntervalNs;
  /** The registry topic could not be read at open: read it at the next datagram (with the back-off). */
  private transient boolean unread;
  private transient long registryFailures;
  /** System.nanoTime() of the first failed read since the last good one; 0 when the last read succeeded. */
  private transient long staleSinceNs;

  DecodeFlows(KafkaConnection kafka, String sourcesTopic) {
    this(kafka, sourcesTopic, DEFAULT_RECORDS_PER_SECOND);
  }

  DecodeFlows(KafkaConnection kafka, String sourcesTopic, long recordsPerSecond) {
    this(kafka, sourcesTopic, recordsPerSecond, DEFAULT_IDLE_SECONDS * 1000);
  }

  DecodeFlows(KafkaConnection kafka, String sourcesTopic, long recordsPerSecond, long idleMs) {
    if (recordsPerSecond <= 0) {
      throw new IllegalArgumentException("records per second must be positive: " + recordsPerSecond);
    }
    if (idleMs <= 0) {
      throw new IllegalArgumentException("exporter idle time must be positive: " + idleMs);
    }
    this.kafka = kafka;
    this.sourcesTopic = sourcesTopic;
    this.recordsPerSecond = recordsPerSecond;
    this.idleMs = idleMs;
  }

  /** Failed reads of the registry topic (at open and catch-ups) since open. */
  long registryFailures() {
    return registryFailures;
  }

  /** Milliseconds since the first failed read of the registry topic after the last good one; 0 when that one was good. */
  long registryStaleMs() {
    return staleSinceNs == 0 ? 0L : (System.nanoTime() - staleSinceNs) / 1_000_000;
  }

  /** One exporter as this subtask holds it between datagrams. */
  private static final class Exporter {
    final ExporterState state;
    /** {@link ExporterState#version()} when the state was last stored. */
    long storedVersion;
    int storedBytes;
    long seenSlot = Long.MIN_VALUE;
    /** The receive second being counted and the records passed in it. */
    final long[] budget = {Long.MIN_VALUE, 0};

    Exporter(ExporterState state) {
      this.state = state;
      this.storedVersion = state.version();
    }
  }

  /** Last-seen times are kept to this granularity, so that at most one timer per slot and exporter is set. */
  private long slotMs() {
    return Math.max(1, Math.min(60_000, idleMs / 4));
  }

  @Override
  public void open(OpenContext context) {
    exporterState = getRuntimeContext().getState(new ValueStateDescriptor<>("exporter", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    sequenceState = getRuntimeContext().getState(new ValueStateDescriptor<>("sequences", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    lastSeen = getRuntimeContext().getState(new ValueStateDescriptor<>("last-seen", Types.LONG));
    live = new HashMap<>();
    decoder = new FlowDecoder();
    counters = new DecodeCounters();
    sink = new EmittingSink();
    catchUpIntervalNs = CATCH_UP_INTERVAL_NS;
    loaded = Map.of();
    // A registry that cannot be read does not stop the job: the broadcast state (restored from the checkpoint, then
    // fed by the topic) keeps the last known registry, and the read is tried again with a back-off.
    unread = kafka != null;
    if (unread) {
      read(OPEN_READ_TIMEOUT);
    }
    var metrics = getRuntimeContext().getMetricGroup().addGroup("sluice");
    metrics.gauge("unreadable_exporter_states", () -> unreadableStates);
    metrics.gauge("registry_catch_ups", () -> catchUps);
    metrics.gauge("registry_read_failures", () -> registryFailures);
    metrics.gauge("registry_stale_ms", this::registryStaleMs);
    metrics.gauge("exporter_state_writes", () -> stateWrites);
    metrics.gauge("exporter_state_bytes", () -> storedBytes);
    metrics.gauge("exporters_held", () -> (long) live.size());
    metrics.gauge("exporters_expired", () -> expired);
    for (FlowType type : FlowType.values()) {
      metrics.gauge("datagrams_" + type.column(), () -> counters.datagrams(type));
    }
    for (DecodeProblem problem : DecodeProblem.values()) {
      metrics.gauge("problem_" + problem.name().toLowerCase(java.util.Locale.ROOT), () -> counters.problems(problem));
    }
  }

  @Override
  public void processElement(RawDatagram datagram, ReadOnlyContext ctx, Collector<FlowRecord> out) throws Exception {
    String key = ctx.getCurrentKey();
    Exporter exporter = live.get(key);
    if (exporter == null) {
      exporter = restore();
      live.put(key, exporter);
    }
    ExporterState state = exporter.state;
    seen(exporter, ctx);
    if (unread) {
      catchUp();
    }
    FlowSource source = match(ctx.getBroadcastState(REGISTRY), datagram);
    if (datagram.sourceUpdatedNs != 0 && (source == null || source.getUpdatedNs() < datagram.sourceUpdatedNs) && catchUp()) {
      source = match(ctx.getBroadcastState(REGISTRY), datagram);
    }
    Enrichment.configure(state, source);
    DatagramStats stats = new DatagramStats();
    stats.second = datagram.receivedNs / 1_000_000_000L;
    stats.exporterAddr = datagram.exporterAddr;
    if (source != null) {
      stats.exporterName = source.getName();
      stats.site = source.getSite();
      stats.configuredRate = source.getSamplingRate();
    }
    long lostDatagrams = lost(state, false);
    long lostRecords = lost(state, true);
    DecodeCounters perDatagram = new DecodeCounters();
    sink.out = out;
    sink.ctx = ctx;
    sink.source = source;
    sink.namesInterfaces = Enrichment.namesInterfaces(source);
    sink.stats = stats;
    sink.counters = perDatagram;
    sink.budget = exporter.budget;
    sink.second = stats.second;
    sink.limit = recordsPerSecond;
    FlowType type;
    try {
      type = decoder.decode(datagram.payload, 0, datagram.payload.length, datagram.exporterAddr,
          datagram.receivedNs, state, sink, perDatagram);
    } catch (RuntimeException | StackOverflowError fault) {
      DecodeFaults.rethrowIfNotContainable(fault);
      // Records emitted before the fault stand; the decoder's scratch buffers may be inconsistent, so start afresh.
      DecodeFaults.log("decode", key, fault);
      perDatagram.problem(DecodeProblem.DECODER_EXCEPTION);
      decoder = new FlowDecoder();
      type = FlowDecoder.recognise(datagram.payload, 0, datagram.payload.length);
    }
    counters.add(perDatagram);
    store(exporter);

    stats.flowType = type == null ? "unknown" : type.column();
    stats.datagrams = 1;
    stats.bytes = datagram.payload.length;
    stats.lostDatagrams = lost(state, false) - lostDatagrams;
    stats.lostRecords = lost(state, true) - lostRecords;
    for (DecodeProblem problem : DecodeProblem.values()) {
      stats.problems[problem.ordinal()] = perDatagram.problems(problem);
    }
    ctx.output(STATS, stats);
  }

  private static long lost(ExporterState state, boolean countsRecords) {
    long lost = 0;
    for (var tracker : state.sequenceTrackers()) {
      if (tracker.countsRecords() == countsRecords) {
        lost += tracker.lost();
      }
    }
    return lost;
  }

  private Exporter restore() throws java.io.IOException {
    byte[] saved = exporterState.value();
    ExporterState state = new ExporterState();
    boolean corrupt = false;
    try {
      if (saved != null) {
        state = ExporterState.fromBytes(saved);
      }
      byte[] sequences = sequenceState.value();
      if (sequences != null) {
        state.readSequences(sequences);
      }
    } catch (RuntimeException unreadable) {
      unreadableStates++; // templates are learnt again from the exporter's next ones
      state = new ExporterState();
      corrupt = true;
    }
    Exporter exporter = new Exporter(state);
    exporter.storedBytes = saved == null ? 0 : saved.length;
    storedBytes += exporter.storedBytes;
    if (saved == null || corrupt) {
      exporter.storedVersion = -1; // store the first (or a readable) state
    }
    return exporter;
  }

  /** Stores the exporter's state: in full only when more than its sequence trackers changed. */
  private void store(Exporter exporter) throws java.io.IOException {
    ExporterState state = exporter.state;
    long version = state.version();
    if (version != exporter.storedVersion) {
      byte[] bytes = state.toBytes();
      exporterState.update(bytes);
      stateWrites++;
      storedBytes += bytes.length - exporter.storedBytes;
      exporter.storedBytes = bytes.length;
      exporter.storedVersion = version;
    }
    if (!state.sequenceTrackers().isEmpty()) {
      sequenceState.update(state.sequencesToBytes());
    }
  }

  /** Notes that the exporter was heard from now, and sets the timer that forgets it once it is silent. */
  private void seen(Exporter exporter, ReadOnlyContext ctx) throws java.io.IOException {
    long now = ctx.timerService().currentProcessingTime();
    long slot = now - Math.floorMod(now, slotMs());
    if (slot != exporter.seenSlot) {
      exporter.seenSlot = slot;
      lastSeen.update(slot);
      ctx.timerService().registerProcessingTimeTimer(slot + slotMs() + idleMs);
    }
  }

  /** A silent exporter's timer: forgotten when no later datagram moved its last-seen slot. */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FlowRecord> out) throws Exception {
    Long slot = lastSeen.value();
    if (slot != null && slot + slotMs() + idleMs > timestamp) {
      return; // heard from since: a later timer is set
    }
    Exporter exporter = live.remove(ctx.getCurrentKey());
    if (exporter != null) {
      storedBytes -= exporter.storedBytes;
    }
    exporterState.clear();
    sequenceState.clear();
    lastSeen.clear();
    expired++;
  }

  @Override
  public void processBroadcastElement(SourceUpdate update, Context ctx, Collector<FlowRecord> out) throws Exception {
    // A removal is kept as an empty value: the broadcast side may not have replayed the whole topic yet, so only
    // what it has seen overrides the registry read at open.
    ctx.getBroadcastState(REGISTRY).put(update.key, update.value == null ? new byte[0] : update.value);
    table = null;
  }

  /**
   * The registration that labels the datagram: the exporter's own, else its UDP source's, as the collector accepted
   * it (an sFlow agent sending from a registered address, or a source registered with another exporter address).
   */
  private FlowSource match(ReadOnlyBroadcastState<String, byte[]> broadcast, RawDatagram datagram) throws Exception {
    SourceTable sources = registry(broadcast);
    FlowSource source = sources.match(datagram.exporterAddr);
    return source == null && datagram.udpSourceAddr.length == 16 ? sources.match(datagram.udpSourceAddr) : source;
  }

  /**
   * Reads the registry topic to its end, as at open, unless the last catch-up was less than the interval ago (which
   * doubles while reads fail); false when it did not read it.
   */
  private boolean catchUp() {
    long now = System.nanoTime();
    if (kafka == null || (catchUps > 0 && now - lastCatchUpNs < catchUpIntervalNs)) {
      return false;
    }
    lastCatchUpNs = now;
    catchUps++;
    return read(CATCH_UP_TIMEOUT);
  }

  /** Reads the whole registry topic into {@link #loaded}; on failure keeps what it had, counts and backs off. */
  private boolean read(Duration timeout) {
    try {
      loaded = new SourcesTopic(kafka, sourcesTopic).readAll(timeout, problem -> {});
    } catch (RuntimeException unreadable) {
      registryFailures++;
      if (staleSinceNs == 0) {
        staleSinceNs = System.nanoTime();
      }
      catchUpIntervalNs = Math.min(MAX_CATCH_UP_INTERVAL_NS, catchUpIntervalNs * 2);
      LOG.warn("cannot read the source registry {}: {}; keeping the last known one, next try in {} s", sourcesTopic,
          unreadable.getMessage(), catchUpIntervalNs / 1_000_000_000L);
      return false;
    }
    staleSinceNs = 0;
    unread = false;
    catchUpIntervalNs = CATCH_UP_INTERVAL_NS;
    table = null;
    return true;
  }

  /** The registry read at open, overridden by whatever the broadcast side has seen since (removals included). */
  private SourceTable registry(ReadOnlyBroadcastState<String, byte[]> broadcast) throws Exception {
    if (table != null) {
      return table;
    }
    Map<String, FlowSource> sources = new HashMap<>(loaded);
    for (Map.Entry<String, byte[]> entry : broadcast.immutableEntries()) {
      try {
        if (entry.getValue().length == 0) {
          sources.remove(entry.getKey());
        } else {
          FlowSource seen = FlowSource.parseFrom(entry.getValue());
          FlowSource atOpen = sources.get(entry.getKey());
          // While the broadcast side replays the topic from its start, older versions pass by: keep the newest.
          if (atOpen == null || seen.getUpdatedNs() >= atOpen.getUpdatedNs()) {
            sources.put(entry.getKey(), seen);
          }
        }
      } catch (InvalidProtocolBufferException e) {
        sources.remove(entry.getKey());
      }
    }
    table = SourceTable.of(new ArrayList<>(sources.values()));
    return table;
  }

  /** Hands each decoded record downstream; the record object is reused by the decoder (object reuse is on). */
  private static final class EmittingSink implements io.sluice.decode.flow.FlowSink {
    Collector<FlowRecord> out;
    ReadOnlyContext ctx;
    FlowSource source;
    boolean namesInterfaces;
    DatagramStats stats;
    DecodeCounters counters;
    long[] budget;
    long second;
    long limit;

    @Override
    public void flow(FlowRecord record) {
      if (budget[0] != second) {
        budget[0] = second;
        budget[1] = 0;
      }
      if (budget[1] >= limit) {
        counters.problem(DecodeProblem.RECORD_BUDGET_EXCEEDED);
        return;
      }
      budget[1]++;
      Enrichment.label(record, source, namesInterfaces);
      stats.records++;
      stats.rate(record.samplingRate, record.samplingRateSource.column());
      try {
        out.collect(record);
      } catch (RuntimeException downstream) {
        throw new DecodeFaults.Downstream(downstream);
      }
    }

    @Override
    public void interfaceCounters(InterfaceCounters counters) {
      String ifName = source == null ? "" : source.getInterfaceNamesOrDefault((int) counters.ifIndex, "");
      byte[] row = InterfaceCountersEncoder.encode(counters, stats.exporterName, stats.site, ifName);
      try {
        ctx.output(COUNTERS, row);
      } catch (RuntimeException downstream) {
        throw new DecodeFaults.Downstream(downstream);
      }
    }
  }
}
