package io.sluice.jobs.flow;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.decode.flow.FlowRecord;
import io.sluice.decode.flow.FlowType;
import io.sluice.ingest.sources.SourceTable;
import io.sluice.ingest.sources.SourcesTopic;
import io.sluice.wire.FlowSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes one exporter's datagrams with its template and sampling state kept in keyed state (a restart does not
 * wait for templates to be re-sent), and labels the records from the source registry.
 *
 * <p>The registry arrives as broadcast state. Because a broadcast input has no ordering against the datagrams, the
 * operator also reads the whole registry once when it opens, so that the first datagrams are already labelled.
 */
final class DecodeFlows extends KeyedBroadcastProcessFunction<String, RawDatagram, SourceUpdate, FlowRecord> {
  static final MapStateDescriptor<String, byte[]> REGISTRY =
      new MapStateDescriptor<>("sources", Types.STRING, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  private final String kafkaBootstrap;
  private final String sourcesTopic;
  private transient ValueState<byte[]> exporterState;
  private transient Map<String, ExporterState> live;
  private transient FlowDecoder decoder;
  private transient DecodeCounters counters;
  private transient SourceTable table;
  private transient Map<String, FlowSource> loaded;
  private transient EmittingSink sink;
  private transient long unreadableStates;

  DecodeFlows(String kafkaBootstrap, String sourcesTopic) {
    this.kafkaBootstrap = kafkaBootstrap;
    this.sourcesTopic = sourcesTopic;
  }

  @Override
  public void open(OpenContext context) {
    exporterState = getRuntimeContext().getState(new ValueStateDescriptor<>("exporter", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    live = new HashMap<>();
    decoder = new FlowDecoder();
    counters = new DecodeCounters();
    sink = new EmittingSink();
    loaded = kafkaBootstrap == null ? Map.of()
        : new SourcesTopic(kafkaBootstrap, sourcesTopic).readAll(Duration.ofSeconds(30), problem -> {});
    var metrics = getRuntimeContext().getMetricGroup().addGroup("sluice");
    metrics.gauge("unreadable_exporter_states", () -> unreadableStates);
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
    ExporterState state = live.get(key);
    if (state == null) {
      byte[] saved = exporterState.value();
      state = saved == null ? new ExporterState() : restore(saved);
      live.put(key, state);
    }
    FlowSource source = registry(ctx.getBroadcastState(REGISTRY)).match(datagram.exporterAddr);
    Enrichment.configure(state, source);
    sink.out = out;
    sink.source = source;
    decoder.decode(datagram.payload, 0, datagram.payload.length, datagram.exporterAddr, datagram.receivedNs, state, sink,
        counters);
    exporterState.update(state.toBytes());
  }

  private ExporterState restore(byte[] saved) {
    try {
      return ExporterState.fromBytes(saved);
    } catch (IllegalArgumentException corrupt) {
      unreadableStates++; // templates are learnt again from the exporter's next ones
      return new ExporterState();
    }
  }

  @Override
  public void processBroadcastElement(SourceUpdate update, Context ctx, Collector<FlowRecord> out) throws Exception {
    BroadcastState<String, byte[]> registry = ctx.getBroadcastState(REGISTRY);
    if (update.value == null) {
      registry.remove(update.key);
    } else {
      registry.put(update.key, update.value);
    }
    table = null;
  }

  /** The registry: the broadcast state once it has entries, else what was read at open. */
  private SourceTable registry(ReadOnlyBroadcastState<String, byte[]> broadcast) throws Exception {
    if (table != null) {
      return table;
    }
    Map<String, FlowSource> sources = new HashMap<>(loaded);
    boolean any = false;
    for (Map.Entry<String, byte[]> entry : broadcast.immutableEntries()) {
      any = true;
      try {
        sources.put(entry.getKey(), FlowSource.parseFrom(entry.getValue()));
      } catch (InvalidProtocolBufferException e) {
        sources.remove(entry.getKey());
      }
    }
    if (any) {
      // The broadcast side has replayed the compacted topic: it is the truth, removals included.
      sources.keySet().retainAll(keys(broadcast));
      loaded = Map.of();
    }
    table = SourceTable.of(new ArrayList<>(sources.values()));
    return table;
  }

  private static List<String> keys(ReadOnlyBroadcastState<String, byte[]> broadcast) throws Exception {
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, byte[]> entry : broadcast.immutableEntries()) {
      keys.add(entry.getKey());
    }
    return keys;
  }

  /** Hands each decoded record downstream; the record object is reused by the decoder (object reuse is on). */
  private static final class EmittingSink implements io.sluice.decode.flow.FlowSink {
    Collector<FlowRecord> out;
    FlowSource source;

    @Override
    public void flow(FlowRecord record) {
      Enrichment.label(record, source);
      out.collect(record);
    }
  }
}
