package io.sluice.jobs.conn;

import io.sluice.conn.ConnectionRow;
import io.sluice.conn.ConnectionTracker;
import io.sluice.conn.OpenConnection;
import io.sluice.conn.SocketSample;
import io.sluice.store.rows.ConnectionRowEncoder;
import io.sluice.store.sink.RowBinary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by socket (and peer, for UDP): events wait in state until the watermark passes them, then go through the
 * {@link ConnectionTracker} in event-time order; slice ends and expiries are event-time timers. State per key is
 * the open lifetime, the events not yet due and the one pending timer, all cleared when the lifetime ends, so
 * memory follows the open connections, not the connections seen. Rows leave as RowBinary of the connections table.
 */
final class TrackConnections extends KeyedProcessFunction<String, SocketSample, byte[]> {
  private static final long MS = 1_000_000L;
  private final long sliceNs;
  private final long tcpIdleNs;
  private final long udpIdleNs;
  private transient ValueState<OpenConnection> open;
  private transient ListState<SocketSample> pending;
  private transient ValueState<Long> timer;
  private transient ConnectionTracker tracker;
  private transient RowBinary row;

  TrackConnections(long sliceNs, long tcpIdleNs, long udpIdleNs) {
    this.sliceNs = sliceNs;
    this.tcpIdleNs = tcpIdleNs;
    this.udpIdleNs = udpIdleNs;
  }

  /** Samples that came after event time had passed them. */
  private transient Counter late;

  @Override
  public void open(OpenContext context) {
    open = getRuntimeContext().getState(new ValueStateDescriptor<>("open", TypeInformation.of(OpenConnection.class)));
    pending = getRuntimeContext().getListState(new ListStateDescriptor<>("pending",
        TypeInformation.of(SocketSample.class)));
    timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
    tracker = new ConnectionTracker(sliceNs, tcpIdleNs, udpIdleNs);
    row = new RowBinary(512);
    late = getRuntimeContext().getMetricGroup().addGroup("sluice").counter("connections_late_samples");
  }

  @Override
  public void processElement(SocketSample e, Context ctx, Collector<byte[]> out) throws Exception {
    if (!ConnectionTracker.tracked(e)) {
      return;
    }
    pending.add(e);
    long at = Math.floorDiv(e.eventNs + MS - 1, MS);
    if (at <= ctx.timerService().currentWatermark()) {
      late.inc(); // still tracked at the next watermark, but its connection may have been sliced or closed already
    }
    ctx.timerService().registerEventTimeTimer(at);
  }

  @Override
  public void onTimer(long timestampMs, OnTimerContext ctx, Collector<byte[]> out) throws Exception {
    boolean end = ctx.timerService().currentWatermark() == Long.MAX_VALUE;
    long nowNs = end ? Long.MAX_VALUE : timestampMs * MS;
    tracker.restore(open.value());
    List<SocketSample> due = new ArrayList<>();
    List<SocketSample> later = new ArrayList<>();
    long lastNs = 0;
    for (SocketSample e : pending.get()) {
      (e.eventNs <= nowNs ? due : later).add(e);
      lastNs = Math.max(lastNs, e.eventNs);
    }
    due.sort(Comparator.comparingLong(e -> e.eventNs));
    for (SocketSample e : due) {
      tracker.onEvent(e, r -> emit(r, out));
    }
    if (end) {
      OpenConnection c = tracker.state();
      tracker.finish(c == null ? 0 : Math.max(lastNs, c.lastEventNs), r -> emit(r, out));
    } else {
      tracker.advanceTo(nowNs, r -> emit(r, out));
    }
    if (!due.isEmpty()) {
      pending.update(later);
    }
    OpenConnection state = tracker.state();
    if (state == null) {
      open.clear();
    } else {
      open.update(state);
    }
    Long previous = timer.value();
    long next = tracker.nextDeadlineNs();
    Long nextMs = next == Long.MAX_VALUE ? null : Math.floorDiv(next + MS - 1, MS);
    if (previous != null && !previous.equals(nextMs)) {
      ctx.timerService().deleteEventTimeTimer(previous);
    }
    if (nextMs == null) {
      timer.clear();
    } else {
      ctx.timerService().registerEventTimeTimer(nextMs);
      timer.update(nextMs);
    }
  }

  private void emit(ConnectionRow r, Collector<byte[]> out) {
    row.clear();
    ConnectionRowEncoder.encode(r, row);
    out.collect(java.util.Arrays.copyOf(row.array(), row.size()));
  }
}
