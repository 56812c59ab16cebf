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
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The L7 parse-and-join of one node's conversation (unordered address/port pair): the offline engine's
 * {@link Conversation}, kept in keyed state ({@link ConversationState}: live on the heap backend, its binary form in
 * checkpoints and on RocksDB), so a restart from a checkpoint resumes it exactly.
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

  /**
   * The keys holding join state (open conversations) the whole job may have at once, shared evenly by its subtasks:
   * 300,000, i.e. 150,000 per subtask at the base manifest's parallelism 2, about 1.15 KB of heap each (BENCHMARKS.md,
   * "The state backend in production") ≈ 173 MB per slot of the base TaskManager's ≈ 585 MB of task heap per slot,
   * beside at most 128 MiB of pending DNS (dns-pending-bytes / 2); about 5 times the 31,000 open at the sizing's
   * 50,000 packets/s per subtask.
   */
  static final long DEFAULT_MAX_CONVERSATIONS = 300_000;

  private static final long NONE = ConversationState.NONE;
  private static final Comparator<KeyedPacket> CAPTURE_ORDER = Comparator.comparingLong(p -> p.capturedNs);

  private final long dnsPendingBytes;
  private final long maxConversations;
  private transient NodeSummaries summaries;
  /**
   * The keys of this subtask holding join state (a {@link ConversationState}; queued packets always have one): counted
   * where a key's state is first stored and where it is cleared, and recounted from the state's keys once restored
   * ({@link #countOpenKeys}), so it holds after a restore and a rescale. A packet of a key with no state is dropped
   * (counted, {@link L7Problem#CONVERSATION_LIMIT}) while it is {@link #maxOpenKeys} or more.
   */
  private transient long openKeys;
  private transient long maxOpenKeys;
  /** The subtask's share of the pending DNS bytes, and what it held at the last checkpoint. */
  private transient MemoryBudget dnsPending;
  private transient ListState<Long> dnsPendingUsed;
  private transient long dnsPendingRestored;
  /**
   * Everything the join keeps per key but the packet queue, in one value (one lookup per call): the conversation,
   * its socket sightings, and the three timers' milliseconds.
   */
  private transient ValueState<ConversationState> state;
  /** Packets waiting for event time to pass them (a list state: a packet is appended without reading the rest). */
  private transient ListState<KeyedPacket> queue;
  private transient L7Context cx;
  private transient Rows rows;
  private transient PacketHeader header;
  private transient PacketKeys.Nodes nodes;
  /** A timer's queued packets that event time has passed, and the rest (reused: state keeps copies, not these). */
  private transient ArrayList<KeyedPacket> due;
  private transient ArrayList<KeyedPacket> later;

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
    this(dnsPendingBytes, DEFAULT_MAX_CONVERSATIONS);
  }

  JoinConversations(long dnsPendingBytes, long maxConversations) {
    if (dnsPendingBytes <= 0) {
      throw new IllegalArgumentException("dns pending bytes must be positive: " + dnsPendingBytes);
    }
    if (maxConversations <= 0) {
      throw new IllegalArgumentException("max conversations must be positive: " + maxConversations);
    }
    this.dnsPendingBytes = dnsPendingBytes;
    this.maxConversations = maxConversations;
  }

  @Override
  public void open(OpenContext context) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("join", new ConversationStateSerializer()));
    queue = getRuntimeContext().getListState(new ListStateDescriptor<>("queue", TypeInformation.of(KeyedPacket.class)));
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
    // At least one per subtask, so that a parallelism above the cap still joins.
    maxOpenKeys = Math.max(1, maxConversations / getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks());
    openKeys = 0; // recounted by JoinOperator once the state is restored
    getRuntimeContext().getMetricGroup().addGroup("sluice").gauge("open_conversations", () -> openKeys);
    header = new PacketHeader();
    nodes = new PacketKeys.Nodes();
    due = new ArrayList<>();
    later = new ArrayList<>();
    summaries.registerMetrics(getRuntimeContext());
  }

  @Override
  public void processElement1(KeyedPacket p, Context ctx, Collector<byte[]> out) throws Exception {
    ConversationState s = state.value();
    if (s == null) {
      if (openKeys >= maxOpenKeys) {
        // A new conversation while the subtask holds its share of max-conversations: not queued, counted.
        summaries.of(nodes.of(ctx.getCurrentKey())).problems.add(L7Problem.CONVERSATION_LIMIT);
        return;
      }
      s = new ConversationState(); // stored below (no queue timer yet)
      openKeys++;
    }
    queue.add(p);
    long at = millis(p.capturedNs);
    if (at <= ctx.timerService().currentWatermark()) {
      // Event time has already passed it: still joined (at the next watermark), but counted, since its conversation
      // may have timed out without it.
      summaries.of(nodes.of(ctx.getCurrentKey())).problems.add(L7Problem.PACKET_LATE);
    }
    if (s.queueTimerMs == NONE || at < s.queueTimerMs) {
      ctx.timerService().registerEventTimeTimer(at); // a later one already registered fires and finds nothing due
      s.queueTimerMs = at;
      state.update(s);
    }
  }

  /** A socket event: kept at once, whatever event time says, so that rows made later see it. */
  @Override
  public void processElement2(KeyedSocket socket, Context ctx, Collector<byte[]> out) throws Exception {
    ConversationState stored = state.value();
    ConversationState s = stored == null ? new ConversationState() : stored;
    ProcessAttribution a = processes(s);
    a.add(socket.sighting());
    saveProcesses(s, a);
    long at = millis(a.newestNs() + ProcessAttribution.KEEP_NS);
    long scheduled = s.socketsExpiryMs;
    if (scheduled == NONE || scheduled < at) {
      s.socketsExpiryMs = at;
      deleteTimer(s, ctx, scheduled);
      ctx.timerService().registerEventTimeTimer(at);
    }
    store(s, stored != null);
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
    ConversationState stored = state.value();
    boolean existed = stored != null;
    ConversationState s = existed ? stored : new ConversationState();
    if (s.socketsExpiryMs == timestamp) {
      s.socketsExpiryMs = NONE;
    }
    boolean idle = !s.hasConversation();
    long scheduled = s.deadlineMs;
    // Timeouts need the conversation only at its deadline (or the end of input): a timer with no packet due that is
    // not the deadline's leaves the conversation as it is.
    boolean deadline = !idle && (passedNs == Long.MAX_VALUE || scheduled == NONE || scheduled <= timestamp);
    // The queued packets go at their own timer, and whenever the conversation runs: its timeouts run up to event
    // time, so every packet event time has passed must be in first, or a timeout could pass an answer still queued
    // (a watermark that jumps past the deadline and the answer's timer at once).
    boolean queueDue = s.queueTimerMs != NONE && (s.queueTimerMs <= timestamp || deadline && s.queueTimerMs <= watermark);
    ArrayList<KeyedPacket> due = this.due;
    ArrayList<KeyedPacket> later = this.later;
    due.clear();
    later.clear();
    if (queueDue) {
      s.queueTimerMs = NONE;
      Iterable<KeyedPacket> waiting = queue.get();
      if (waiting != null) {
        for (KeyedPacket p : waiting) {
          (p.capturedNs <= passedNs ? due : later).add(p);
        }
      }
    }
    if (!due.isEmpty() || deadline) {
      idle = join(s, due, passedNs, ctx, out, timestamp);
    }
    if (queueDue) {
      queueLater(s, later, !due.isEmpty(), ctx);
    }
    if (idle) {
      expireProcesses(s, passedNs, ctx);
    }
    store(s, existed);
  }

  /** Runs the due packets and timeouts through the conversation; true when it holds nothing afterwards. */
  private boolean join(ConversationState s, ArrayList<KeyedPacket> due, long passedNs, OnTimerContext ctx,
      Collector<byte[]> out, long timestamp) throws Exception {
    due.sort(CAPTURE_ORDER);
    String node = nodes.of(ctx.getCurrentKey());
    Conversation c;
    try {
      c = load(s, node, ctx, out);
    } catch (RuntimeException | StackOverflowError | java.io.IOException fault) {
      c = contain(fault, node);
    }
    for (int i = 0, n = due.size(); i < n; i++) { // indexed: no iterator per timer
      KeyedPacket p = due.get(i);
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
    save(s, c, ctx, timestamp);
    return c.isEmpty();
  }

  /** Keeps the packets event time has not passed yet, with a timer at the earliest. */
  private void queueLater(ConversationState s, ArrayList<KeyedPacket> later, boolean changed, Context ctx)
      throws Exception {
    if (changed) {
      queue.update(later);
    }
    if (!later.isEmpty()) {
      long earliest = Long.MAX_VALUE;
      for (int i = 0, n = later.size(); i < n; i++) {
        earliest = Math.min(earliest, later.get(i).capturedNs);
      }
      long at = millis(earliest);
      ctx.timerService().registerEventTimeTimer(at);
      s.queueTimerMs = at;
    }
  }

  /**
   * Deletes the timer at {@code ms} (one of the key's three, no longer wanted: its field already changed) unless
   * another of the three waits for the same millisecond: Flink keeps one timer per key and time, and a timer firing
   * with nothing to do is harmless.
   */
  private static void deleteTimer(ConversationState s, Context ctx, long ms) {
    if (ms != NONE && ms != s.queueTimerMs && ms != s.deadlineMs && ms != s.socketsExpiryMs) {
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
  private void expireProcesses(ConversationState s, long passedNs, OnTimerContext ctx) throws Exception {
    if (s.sockets == null) {
      return;
    }
    ProcessAttribution a = processes(s);
    a.dropBefore(passedNs == Long.MAX_VALUE ? Long.MAX_VALUE : passedNs - ProcessAttribution.KEEP_NS + 1);
    saveProcesses(s, a);
    long scheduled = s.socketsExpiryMs;
    if (a.isEmpty()) {
      s.socketsExpiryMs = NONE;
      deleteTimer(s, ctx, scheduled);
    } else if (scheduled == NONE) {
      long at = millis(a.newestNs() + ProcessAttribution.KEEP_NS);
      ctx.timerService().registerEventTimeTimer(at);
      s.socketsExpiryMs = at;
    }
  }

  private static ProcessAttribution processes(ConversationState s) throws java.io.IOException {
    return s.sockets == null ? new ProcessAttribution()
        : ProcessAttribution.read(new DataInputStream(new ByteArrayInputStream(s.sockets)));
  }

  private static void saveProcesses(ConversationState s, ProcessAttribution a) throws java.io.IOException {
    if (a.isEmpty()) {
      s.sockets = null;
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    a.write(new DataOutputStream(bytes));
    s.sockets = bytes.toByteArray();
  }

  private Conversation load(ConversationState s, String node, Context ctx, Collector<byte[]> out) throws Exception {
    rows.node = node;
    rows.processes = s.sockets == null ? null : processes(s);
    rows.out = out;
    rows.ctx = ctx;
    cx.summary(summaries.of(node));
    return s.conversation(cx);
  }

  /** The key's state (empty, not stored, when it has none). */
  private ConversationState stored() throws Exception {
    ConversationState s = state.value();
    return s == null ? new ConversationState() : s;
  }

  /**
   * Stores the key's state, or drops it once empty ({@code existed}: it was stored before this call), and counts the
   * key as opened or closed.
   */
  private void store(ConversationState s, boolean existed) throws Exception {
    if (!s.isEmpty()) {
      if (!existed) {
        openKeys++;
      }
      state.update(s);
    } else if (existed) {
      openKeys--;
      state.clear();
    }
  }

  /**
   * Counts the keys holding join state (the conversation state's or the queue's) once the state is restored and in
   * the current layout (after {@link #migrateOldLayout}): after a rescale the subtask holds other keys than it
   * checkpointed, so the count is taken from the state, not from a checkpointed number.
   */
  void countOpenKeys(KeyedStateBackend<String> backend) throws Exception {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (String name : new String[] {"join", "queue"}) {
      try (java.util.stream.Stream<String> held = backend.getKeys(name, VoidNamespace.INSTANCE)) {
        held.forEach(keys::add);
      }
    }
    openKeys = keys.size();
  }

  /** The keys of this subtask holding join state (tests). */
  long openKeys() {
    return openKeys;
  }

  /**
   * Keeps the conversation (on the heap backend, the same object: nothing is serialised) and one timer at its next
   * deadline ({@code firing} is the timer running now).
   */
  private static void save(ConversationState s, Conversation c, Context ctx, long firing) {
    long scheduled = s.deadlineMs == firing ? NONE : s.deadlineMs;
    if (c.isEmpty()) {
      s.conversation((Conversation) null);
      s.deadlineMs = NONE;
      deleteTimer(s, ctx, scheduled);
      return;
    }
    long at = millis(c.nextDeadline());
    s.conversation(c);
    s.deadlineMs = at;
    if (scheduled != at) {
      deleteTimer(s, ctx, scheduled);
      ctx.timerService().registerEventTimeTimer(at);
    }
  }

  /**
   * Moves keyed state written before {@link ConversationState} (a checkpoint or savepoint of the job before it: the
   * conversation's binary form, its deadline, the queue's timer, the sightings and their expiry in five states of
   * their own) into the current layout, every key at once; called by {@link JoinOperator} once the state is
   * restored, before any record. Timers and the queue are kept as they are.
   */
  void migrateOldLayout(KeyedStateBackend<String> backend) throws Exception {
    java.util.Set<String> keys = new java.util.HashSet<>();
    for (String name : OLD_STATES) {
      try (java.util.stream.Stream<String> old = backend.getKeys(name, VoidNamespace.INSTANCE)) {
        old.forEach(keys::add);
      }
    }
    if (keys.isEmpty()) {
      return;
    }
    ValueState<byte[]> conversation = oldState("conversation", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    ValueState<Long> deadline = oldState("deadline", Types.LONG);
    ValueState<Long> queueTimer = oldState("queue-timer", Types.LONG);
    ValueState<byte[]> sockets = oldState("sockets", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    ValueState<Long> socketsExpiry = oldState("sockets-expiry", Types.LONG);
    for (String key : keys) {
      backend.setCurrentKey(key);
      ConversationState s = stored();
      byte[] bytes = conversation.value();
      if (bytes != null) {
        s.conversation(bytes);
        s.deadlineMs = orNone(deadline.value());
      }
      s.queueTimerMs = orNone(queueTimer.value());
      s.sockets = sockets.value();
      s.socketsExpiryMs = orNone(socketsExpiry.value());
      if (s.queueTimerMs == NONE) {
        // State from before the queue's timer (a timer per packet): the earliest queued packet's, as now.
        Iterable<KeyedPacket> waiting = queue.get();
        if (waiting != null) {
          for (KeyedPacket p : waiting) {
            s.queueTimerMs = s.queueTimerMs == NONE ? millis(p.capturedNs) : Math.min(s.queueTimerMs, millis(p.capturedNs));
          }
        }
      }
      store(s, false);
      conversation.clear();
      deadline.clear();
      queueTimer.clear();
      sockets.clear();
      socketsExpiry.clear();
    }
  }

  private static final String[] OLD_STATES = {"conversation", "deadline", "queue-timer", "sockets", "sockets-expiry"};

  private <T> ValueState<T> oldState(String name, TypeInformation<T> type) {
    return getRuntimeContext().getState(new ValueStateDescriptor<>(name, type));
  }

  private static long orNone(Long ms) {
    return ms == null ? NONE : ms;
  }

  /** The subtask's totals for {@code node} (tests). */
  L7Summary summary(String node) {
    return summaries.of(node);
  }

  @Override
  public void close() {
    // A task cancelled before its state was initialised (the job failed as it started) is closed too: an exception
    // here is fatal to the whole TaskManager.
    if (summaries != null) {
      summaries.publish(getRuntimeContext());
    }
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
