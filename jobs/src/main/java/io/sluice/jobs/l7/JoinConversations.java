package io.sluice.jobs.l7;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.jobs.DecodeFaults;
import io.sluice.l7.Conversation;
import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Context;
import io.sluice.l7.L7Process;
import io.sluice.l7.Http2Row;
import io.sluice.l7.L7Sink;
import io.sluice.l7.TlsRow;
import io.sluice.store.rows.TlsRowEncoder;
import io.sluice.l7.L7Summary;
import io.sluice.l7.reassembly.MemoryBudget;
import io.sluice.l7.ProcessAttribution;
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
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The L7 parse-and-join of one node's conversation (unordered address/port pair): the offline engine's
 * {@link Conversation}, kept in keyed state in its binary form, so a restart from a checkpoint resumes it exactly.
 * The state is bounded by the conversation's own limits (reassembly buffers, pipeline depth, pending queries) and
 * dropped once nothing is pending. Packets wait in keyed state until the watermark passes them by
 * {@link ProcessAttribution#AFTER_NS} and then go through in capture-time order; one event-time timer per key, at the
 * conversation's next deadline (shifted by the same), fires its timeouts. At the end of a bounded input (watermark
 * Long.MAX_VALUE) every conversation finishes as the offline engine's {@code finish()} does.
 *
 * <p>The second input is the conversation's socket events: kept as a {@link ProcessAttribution} as they arrive,
 * which names each row's client process. Packets wait the extra {@code AFTER_NS} so that every socket event up to
 * that long after a row's first packet is in state when the row is made, whatever order the two topics arrive in:
 * rows do not depend on arrival order. The sightings are dropped {@link ProcessAttribution#KEEP_NS} after the newest
 * once the conversation holds nothing. Rows leave RowBinary-encoded: dns rows on the main output, http rows on
 * {@link #HTTP}.
 */
final class JoinConversations extends KeyedCoProcessFunction<String, KeyedPacket, KeyedSocket, byte[]>
    implements CheckpointedFunction {
  static final OutputTag<byte[]> HTTP = new OutputTag<>("http", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
  static final OutputTag<byte[]> TLS = new OutputTag<>("tls", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  /** The stored bytes pending DNS queries may take in the whole job (shared evenly by its subtasks). */
  static final long DEFAULT_DNS_PENDING_BYTES = 256L << 20;

  private final long dnsPendingBytes;
  private transient NodeSummaries summaries;
  /** The subtask's share of the pending DNS bytes, and what it held at the last checkpoint. */
  private transient MemoryBudget dnsPending;
  private transient ListState<Long> dnsPendingUsed;
  private transient long dnsPendingRestored;
  private transient ValueState<byte[]> conversation;
  /** The millisecond of the conversation's deadline timer. */
  private transient ValueState<Long> deadline;
  /** Packets waiting for event time to pass them. */
  private transient ListState<KeyedPacket> queue;
  /**
   * The millisecond of the timer that lets the earliest queued packet through: one timer per key rather than one per
   * packet, so that a conversation is loaded and stored once for all the packets event time passes at once.
   */
  private transient ValueState<Long> queueTimer;
  /** The conversation's socket sightings ({@link ProcessAttribution}'s binary form). */
  private transient ValueState<byte[]> sockets;
  /** The millisecond of the timer that drops the sightings. */
  private transient ValueState<Long> socketsExpiry;
  private transient L7Context cx;
  private transient Rows rows;
  private transient PacketHeader header;

  /** Encodes rows for the current key's node and sends them to the current call's outputs. */
  private static final class Rows implements L7Sink {
    final RowBinary buffer = new RowBinary(1024);
    String node;
    ProcessAttribution processes;
    Collector<byte[]> out;
    Context ctx;

    @Override
    public void dns(DnsRow row) {
      buffer.clear();
      int protocol = row.transport().equals("tcp") ? PacketParser.PROTO_TCP : PacketParser.PROTO_UDP;
      DnsRowEncoder.encode(row, node, process(protocol, row.clientAddr(), row.clientPort(), row.timeNs()), buffer);
      try {
        out.collect(buffer.toByteArray());
      } catch (RuntimeException downstream) {
        throw new DecodeFaults.Downstream(downstream);
      }
    }

    @Override
    public void http(HttpRow row) {
      buffer.clear();
      HttpRowEncoder.encode(row, node, process(PacketParser.PROTO_TCP, row.clientAddr(), row.clientPort(), row.timeNs()),
          buffer);
      try {
        ctx.output(HTTP, buffer.toByteArray());
      } catch (RuntimeException downstream) {
        throw new DecodeFaults.Downstream(downstream);
      }
    }

    @Override
    public void tls(TlsRow row) {
      buffer.clear();
      TlsRowEncoder.encode(row, node, process(PacketParser.PROTO_TCP, row.clientAddr(), row.clientPort(),
          row.handshake().clientHelloNs()), buffer);
      ctx.output(TLS, buffer.toByteArray());
    }

    /** HTTP/2 streams land in the http table with version HTTP/2 and their HTTP/2 and gRPC columns. */
    @Override
    public void http2(Http2Row row) {
      http(row.asHttpRow());
    }

    private L7Process process(int protocol, byte[] clientAddr, int clientPort, long timeNs) {
      return processes == null ? L7Process.NONE : processes.of(protocol, clientAddr, clientPort, timeNs);
    }
  }

  JoinConversations() {
    this(DEFAULT_DNS_PENDING_BYTES);
  }

  JoinConversations(long dnsPendingBytes) {
    if (dnsPendingBytes <= 0) {
      throw new IllegalArgumentException("dns pending bytes must be positive: " + dnsPendingBytes);
    }
    this.dnsPendingBytes = dnsPendingBytes;
  }

  @Override
  public void open(OpenContext context) {
    conversation = getRuntimeContext().getState(
        new ValueStateDescriptor<>("conversation", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    deadline = getRuntimeContext().getState(new ValueStateDescriptor<>("deadline", Types.LONG));
    queue = getRuntimeContext().getListState(new ListStateDescriptor<>("queue", TypeInformation.of(KeyedPacket.class)));
    queueTimer = getRuntimeContext().getState(new ValueStateDescriptor<>("queue-timer", Types.LONG));
    sockets = getRuntimeContext().getState(
        new ValueStateDescriptor<>("sockets", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    socketsExpiry = getRuntimeContext().getState(new ValueStateDescriptor<>("sockets-expiry", Types.LONG));
    rows = new Rows();
    // Buffers are bounded per conversation (TcpStream, DnsOverTcp, HttpStreamParser limits); a subtask-wide budget
    // would not survive rescaling, so the budget here only accounts.
    cx = new L7Context(L7Config.defaults(), new L7Summary(), rows, new MemoryBudget(Long.MAX_VALUE));
    // Pending DNS queries live in keyed state between packets, so their budget counts what every conversation of
    // the subtask holds (reserved when a query is added, given back when it leaves) and is checkpointed with them.
    dnsPending = new MemoryBudget(dnsPendingBytes / getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(),
        dnsPendingRestored);
    cx.dnsPendingBudget(dnsPending);
    getRuntimeContext().getMetricGroup().addGroup("sluice").gauge("dns_pending_bytes", () -> dnsPending.used());
    header = new PacketHeader();
    summaries.registerMetrics(getRuntimeContext());
  }

  @Override
  public void processElement1(KeyedPacket p, Context ctx, Collector<byte[]> out) throws Exception {
    queue.add(p);
    long at = millis(p.capturedNs);
    if (at <= ctx.timerService().currentWatermark()) {
      // Event time has already passed it: still joined (at the next watermark), but counted, since its conversation
      // may have timed out without it.
      summaries.of(PacketKeys.node(ctx.getCurrentKey())).problems.add(L7Problem.PACKET_LATE);
    }
    Long scheduled = queueTimer.value();
    if (scheduled == null || at < scheduled) {
      ctx.timerService().registerEventTimeTimer(at); // a later one already registered fires and finds nothing due
      queueTimer.update(at);
    }
  }

  /** A socket event: kept at once, whatever event time says, so that rows made later see it. */
  @Override
  public void processElement2(KeyedSocket s, Context ctx, Collector<byte[]> out) throws Exception {
    ProcessAttribution a = processes();
    a.add(s.sighting());
    saveProcesses(a);
    long at = millis(a.newestNs() + ProcessAttribution.KEEP_NS);
    Long scheduled = socketsExpiry.value();
    if (scheduled == null || scheduled < at) {
      if (scheduled != null) {
        deleteTimer(ctx, scheduled);
      }
      ctx.timerService().registerEventTimeTimer(at);
      socketsExpiry.update(at);
    }
  }

  /**
   * Event time has advanced: the queued packets it passed go through the conversation in capture-time order
   * (stable), then the timeouts it passed fire. Packets are queued until then because a reassembled datagram
   * takes another path through the job than the rest of its conversation and may overtake earlier packets.
   */
  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<byte[]> out) throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    long passedNs = watermark == Long.MAX_VALUE ? Long.MAX_VALUE
        : watermark * 1_000_000L + 999_999L - ProcessAttribution.AFTER_NS;
    Long expiry = socketsExpiry.value();
    if (expiry != null && expiry == timestamp) {
      socketsExpiry.clear();
    }
    Long queued = queueTimer.value();
    // No queue timer recorded: state written before there was one (a timer per packet); look at the queue.
    boolean queueDue = queued == null || queued <= timestamp;
    List<KeyedPacket> due = new ArrayList<>();
    List<KeyedPacket> later = new ArrayList<>();
    if (queueDue) {
      if (queued != null) {
        queueTimer.clear();
      }
      Iterable<KeyedPacket> waiting = queue.get();
      if (waiting != null) {
        for (KeyedPacket p : waiting) {
          (p.capturedNs <= passedNs ? due : later).add(p);
        }
      }
    }
    Long scheduled = deadline.value();
    boolean idle = conversation.value() == null;
    // Timeouts need the conversation only at its deadline (or the end of input): a timer with no packet due that is
    // not the deadline's leaves the stored conversation as it is.
    if (!due.isEmpty() || (!idle && (passedNs == Long.MAX_VALUE || scheduled == null || scheduled <= timestamp))) {
      idle = join(due, passedNs, ctx, out, timestamp);
    }
    if (queueDue) {
      queueLater(later, !due.isEmpty(), ctx);
    }
    if (idle) {
      expireProcesses(passedNs, ctx);
    }
  }

  /** Runs the due packets and timeouts through the conversation; true when it holds nothing afterwards. */
  private boolean join(List<KeyedPacket> due, long passedNs, OnTimerContext ctx,
      Collector<byte[]> out, long timestamp) throws Exception {
    due.sort(Comparator.comparingLong(p -> p.capturedNs));
    String node = PacketKeys.node(ctx.getCurrentKey());
    Conversation c;
    try {
      c = load(node, ctx, out);
    } catch (RuntimeException | StackOverflowError | java.io.IOException fault) {
      c = contain(fault, node);
    }
    for (KeyedPacket p : due) {
      try {
        if (PacketParser.parse(p.linkType, p.data, 0, p.data.length, header)) {
          c.onPacket(header.vxlan && header.inner.layer >= 3 ? header.inner : header, p.data, p.capturedNs);
        }
      } catch (RuntimeException | StackOverflowError fault) {
        c = contain(fault, node);
      }
    }
    try {
      if (passedNs == Long.MAX_VALUE) {
        c.finish(); // the end of a bounded input
      } else {
        c.advanceTo(passedNs);
      }
    } catch (RuntimeException | StackOverflowError fault) {
      c = contain(fault, node);
    }
    save(c, ctx, timestamp);
    return c.isEmpty();
  }

  /** Keeps the packets event time has not passed yet, with a timer at the earliest. */
  private void queueLater(List<KeyedPacket> later, boolean changed, Context ctx) throws Exception {
    if (changed) {
      queue.update(later);
    }
    if (!later.isEmpty()) {
      long at = millis(later.stream().mapToLong(p -> p.capturedNs).min().getAsLong());
      ctx.timerService().registerEventTimeTimer(at);
      queueTimer.update(at);
    }
  }

  /**
   * Deletes the deadline or sightings timer at {@code ms} unless the packet queue waits for the same millisecond:
   * Flink keeps one timer per key and time, and a timer firing with nothing to do is harmless.
   */
  private void deleteTimer(Context ctx, long ms) throws Exception {
    Long queued = queueTimer.value();
    if (queued == null || queued != ms) {
      ctx.timerService().deleteEventTimeTimer(ms);
    }
  }

  /**
   * A fault in the conversation's decode logic: counted against the node, the conversation's state dropped (it may
   * be inconsistent) and a fresh one goes on.
   */
  private Conversation contain(Throwable fault, String node) {
    DecodeFaults.rethrowIfNotContainable(fault instanceof java.io.IOException ? new IllegalStateException(fault) : fault);
    DecodeFaults.log("join dns/http", node, fault);
    summaries.of(node).problems.add(L7Problem.DECODER_EXCEPTION);
    header = new PacketHeader();
    return new Conversation(cx);
  }

  /**
   * The millisecond timer that fires once event time has passed {@code ns} by {@link ProcessAttribution#AFTER_NS};
   * Long.MAX_VALUE (nothing due) stays the end of input.
   */
  private static long millis(long ns) {
    return ns >= Long.MAX_VALUE - ProcessAttribution.AFTER_NS ? Long.MAX_VALUE
        : Math.floorDiv(ns + ProcessAttribution.AFTER_NS, 1_000_000L);
  }

  /**
   * With the conversation empty, drops the sightings older than {@link ProcessAttribution#KEEP_NS} before the
   * packets' event time (all at the end of input), and keeps a timer for the rest.
   */
  private void expireProcesses(long passedNs, OnTimerContext ctx) throws Exception {
    byte[] saved = sockets.value();
    if (saved == null) {
      return;
    }
    ProcessAttribution a = ProcessAttribution.read(new DataInputStream(new ByteArrayInputStream(saved)));
    a.dropBefore(passedNs == Long.MAX_VALUE ? Long.MAX_VALUE : passedNs - ProcessAttribution.KEEP_NS + 1);
    saveProcesses(a);
    Long scheduled = socketsExpiry.value();
    if (a.isEmpty()) {
      if (scheduled != null) {
        deleteTimer(ctx, scheduled);
        socketsExpiry.clear();
      }
    } else if (scheduled == null) {
      long at = millis(a.newestNs() + ProcessAttribution.KEEP_NS);
      ctx.timerService().registerEventTimeTimer(at);
      socketsExpiry.update(at);
    }
  }

  private ProcessAttribution processes() throws Exception {
    byte[] saved = sockets.value();
    return saved == null ? new ProcessAttribution()
        : ProcessAttribution.read(new DataInputStream(new ByteArrayInputStream(saved)));
  }

  private void saveProcesses(ProcessAttribution a) throws Exception {
    if (a.isEmpty()) {
      sockets.clear();
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    a.write(new DataOutputStream(bytes));
    sockets.update(bytes.toByteArray());
  }

  private Conversation load(String node, Context ctx, Collector<byte[]> out) throws Exception {
    rows.node = node;
    rows.processes = sockets.value() == null ? null : processes();
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
        deleteTimer(ctx, scheduled);
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
        deleteTimer(ctx, scheduled);
      }
      ctx.timerService().registerEventTimeTimer(at);
      deadline.update(at);
    }
  }

  /** The subtask's totals for {@code node} (tests). */
  L7Summary summary(String node) {
    return summaries.of(node);
  }

  @Override
  public void close() {
    summaries.publish(getRuntimeContext());
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    summaries.snapshot();
    dnsPendingUsed.update(List.of(dnsPending.used()));
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    summaries = new NodeSummaries();
    summaries.initialize(context, "l7-join-summary");
    dnsPendingUsed = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("dns-pending-bytes", Types.LONG));
    dnsPendingRestored = 0;
    for (Long used : dnsPendingUsed.get()) {
      dnsPendingRestored += used; // after a rescale, an estimate: the entries are dealt out among the subtasks
    }
  }
}
