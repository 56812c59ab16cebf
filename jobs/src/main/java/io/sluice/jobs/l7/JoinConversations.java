package io.sluice.jobs.l7;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.join.Conversation;
import io.sluice.join.DnsRow;
import io.sluice.join.HttpRow;
import io.sluice.join.L7Config;
import io.sluice.join.L7Context;
import io.sluice.join.L7Sink;
import io.sluice.join.L7Summary;
import io.sluice.join.MemoryBudget;
import io.sluice.store.rows.DnsRowEncoder;
import io.sluice.store.rows.HttpRowEncoder;
import io.sluice.store.sink.RowBinary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.apache.flink.api.common.functions.OpenContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The L7 parse-and-join of one node's conversation (unordered address/port pair): the offline engine's
 * {@link Conversation}, kept in keyed state in its binary form, so a restart from a checkpoint resumes it exactly.
 * The state is bounded by the conversation's own limits (reassembly buffers, pipeline depth, pending queries) and
 * dropped once nothing is pending. Packets wait in keyed state until the watermark passes them and then go
 * through in capture-time order; one event-time timer per key, at the conversation's next deadline, fires its
 * timeouts. At the end of a bounded input (watermark Long.MAX_VALUE) every conversation finishes as the offline
 * engine's {@code finish()} does. Rows leave RowBinary-encoded: dns rows on the main output, http rows on {@link #HTTP}.
 */
final class JoinConversations extends KeyedProcessFunction<String, KeyedPacket, byte[]> implements CheckpointedFunction {
  static final OutputTag<byte[]> HTTP = new OutputTag<>("http", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  private transient NodeSummaries summaries;
  private transient ValueState<byte[]> conversation;
  /** The millisecond of the conversation's deadline timer. */
  private transient ValueState<Long> deadline;
  /** Packets waiting for event time to pass them. */
  private transient ListState<KeyedPacket> queue;
  private transient L7Context cx;
  private transient Rows rows;
  private transient PacketHeader header;

  /** Encodes rows for the current key's node and sends them to the current call's outputs. */
  private static final class Rows implements L7Sink {
    final RowBinary buffer = new RowBinary(1024);
    String node;
    Collector<byte[]> out;
    Context ctx;

    @Override
    public void dns(DnsRow row) {
      buffer.clear();
      DnsRowEncoder.encode(row, node, buffer);
      out.collect(buffer.toByteArray());
    }

    @Override
    public void http(HttpRow row) {
      buffer.clear();
      HttpRowEncoder.encode(row, node, buffer);
      ctx.output(HTTP, buffer.toByteArray());
    }
  }

  @Override
  public void open(OpenContext context) {
    conversation = getRuntimeContext().getState(
        new ValueStateDescriptor<>("conversation", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    deadline = getRuntimeContext().getState(new ValueStateDescriptor<>("deadline", Types.LONG));
    queue = getRuntimeContext().getListState(new ListStateDescriptor<>("queue", TypeInformation.of(KeyedPacket.class)));
    rows = new Rows();
    // Buffers are bounded per conversation (TcpStream, DnsOverTcp, HttpStreamParser limits); a subtask-wide budget
    // would not survive rescaling, so the budget here only accounts.
    cx = new L7Context(L7Config.defaults(), new L7Summary(), rows, new MemoryBudget(Long.MAX_VALUE));
    header = new PacketHeader();
    summaries.registerMetrics(getRuntimeContext());
  }

  @Override
  public void processElement(KeyedPacket p, Context ctx, Collector<byte[]> out) throws Exception {
    queue.add(p);
    ctx.timerService().registerEventTimeTimer(millis(p.capturedNs));
  }

  /**
   * Event time has advanced: the queued packets it passed go through the conversation in capture-time order
   * (stable), then the timeouts it passed fire. Packets are queued until then because a reassembled datagram
   * takes another path through the job than the rest of its conversation and may overtake earlier packets.
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<byte[]> out) throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    long passedNs = watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark * 1_000_000L + 999_999L;
    List<KeyedPacket> due = new ArrayList<>();
    List<KeyedPacket> later = new ArrayList<>();
    for (KeyedPacket p : queue.get()) {
      (p.capturedNs <= passedNs ? due : later).add(p);
    }
    if (due.isEmpty() && conversation.value() == null) {
      return;
    }
    due.sort(Comparator.comparingLong(p -> p.capturedNs));
    Conversation c = load(PacketKeys.node(ctx.getCurrentKey()), ctx, out);
    for (KeyedPacket p : due) {
      if (PacketParser.parse(p.linkType, p.data, 0, p.data.length, header)) {
        c.onPacket(header.vxlan && header.inner.layer >= 3 ? header.inner : header, p.data, p.capturedNs);
      }
    }
    if (watermark == Long.MAX_VALUE) {
      c.finish(); // the end of a bounded input
    } else {
      c.advanceTo(passedNs);
    }
    queue.update(later);
    save(c, ctx, timestamp);
    if (!later.isEmpty()) {
      ctx.timerService().registerEventTimeTimer(millis(later.stream().mapToLong(p -> p.capturedNs).min().getAsLong()));
    }
  }

  /** The millisecond timer that fires once event time has passed {@code ns}. */
  private static long millis(long ns) {
    return Math.floorDiv(ns, 1_000_000L);
  }

  private Conversation load(String node, Context ctx, Collector<byte[]> out) throws Exception {
    rows.node = node;
    rows.out = out;
    rows.ctx = ctx;
    cx.summary(summaries.of(node));
    byte[] saved = conversation.value();
    return saved == null ? new Conversation(cx) : Conversation.read(new DataInputStream(new ByteArrayInputStream(saved)), cx);
  }

  /** Stores the conversation and keeps one timer at its next deadline ({@code firing} is the timer running now). */
  private void save(Conversation c, Context ctx, long firing) throws Exception {
    Long scheduled = deadline.value();
    if (scheduled != null && scheduled == firing) {
      scheduled = null;
      deadline.clear();
    }
    if (c.isEmpty()) {
      conversation.clear();
      if (scheduled != null) {
        ctx.timerService().deleteEventTimeTimer(scheduled);
        deadline.clear();
      }
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    c.write(new DataOutputStream(bytes));
    conversation.update(bytes.toByteArray());
    long at = millis(c.nextDeadline());
    if (scheduled == null || scheduled != at) {
      if (scheduled != null) {
        ctx.timerService().deleteEventTimeTimer(scheduled);
      }
      ctx.timerService().registerEventTimeTimer(at);
      deadline.update(at);
    }
  }

  @Override
  public void close() {
    summaries.publish(getRuntimeContext());
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    summaries.snapshot();
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    summaries = new NodeSummaries();
    summaries.initialize(context, "l7-join-summary");
  }
}
