package io.sluice.l7;

import io.sluice.l7.reassembly.MemoryBudget;
import io.sluice.l7.IpDefragmenter;
import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The L7 parse-and-join as a pure, event-time state machine: feed it frames with their capture times, tell
 * it how far event time has advanced, and it emits {@code dns} and {@code http} rows to the sink. The same
 * input always gives the same rows, whether replayed from a file or captured live, and the same rows as the
 * L7Job, which runs the same {@link Conversation}s from Flink keyed state.
 *
 * <p>Not thread-safe. State is bounded: conversations and fragmented datagrams by count, pending DNS queries
 * per conversation, all buffers together by {@link L7Config#memoryBudgetBytes()}. A TCP connection gets state
 * only when it carries DNS or HTTP (by port, or by content on other ports), so random segments or a SYN flood
 * to other ports cost nothing, and SYNs to L7 ports cost a small entry that idles out.
 */
public final class L7Engine {
  private record Due(long deadlineNs, ConnKey key) {}

  private final L7Config config;
  private final L7Summary summary = new L7Summary();
  private final MemoryBudget budget;
  private final L7Context cx;
  private final PacketHeader header = new PacketHeader();
  private final PacketHeader reassembled = new PacketHeader();
  private final IpDefragmenter defragmenter;
  private final Map<ConnKey, Conversation> conversations = new HashMap<>();
  private final Map<ConnKey, Long> scheduled = new HashMap<>();
  private final PriorityQueue<Due> deadlines = new PriorityQueue<>((a, b) -> Long.compare(a.deadlineNs, b.deadlineNs));
  private long watermarkNs = Long.MIN_VALUE;

  public L7Engine(L7Config config, L7Sink sink) {
    this.config = config;
    this.budget = new MemoryBudget(config.memoryBudgetBytes());
    this.cx = new L7Context(config, summary, sink, budget);
    this.defragmenter = new IpDefragmenter(config.maxFragmentedDatagrams(), config.fragmentTimeoutNs(), budget,
        summary);
  }

  public L7Summary summary() {
    return summary;
  }

  public MemoryBudget budget() {
    return budget;
  }

  /** Conversations holding state (a connection or pending queries). */
  public int connectionCount() {
    return conversations.size();
  }

  /**
   * Parses a frame and counts what is not IP; returns the header to use (the inner one of VXLAN), or null when
   * the frame carries nothing for L7. Shared with the L7Job, which counts the same way.
   */
  public static PacketHeader triage(int linkType, byte[] data, int len, PacketHeader h, L7Summary summary) {
    return triage(linkType, data, 0, len, h, summary);
  }

  /** {@link #triage(int, byte[], int, PacketHeader, L7Summary)} of the frame at {@code data[off, off + len)}. */
  public static PacketHeader triage(int linkType, byte[] data, int off, int len, PacketHeader h, L7Summary summary) {
    summary.frames++;
    if (!PacketParser.parse(linkType, data, off, len, h)) {
      if (h.truncated) {
        summary.problems.add(L7Problem.PACKET_TRUNCATED);
      } else {
        summary.framesNotIp++;
      }
      return null;
    }
    return h.vxlan && h.inner.layer >= 3 ? h.inner : h;
  }

  /**
   * True when an unfragmented packet may belong to a conversation: TCP, or UDP that looks like DNS. Counts a
   * transport header cut short.
   */
  public static boolean worthKeying(PacketHeader h, byte[] b, L7Config config, L7Summary summary) {
    if (h.layer < 4) {
      if (h.truncated) {
        summary.problems.add(L7Problem.PACKET_TRUNCATED);
      }
      return false;
    }
    return h.protocol == PacketParser.PROTO_TCP
        || (h.protocol == PacketParser.PROTO_UDP && Conversation.isDnsDatagram(h, b, config));
  }

  /**
   * True when {@code h} is an IP fragment to reassemble first. A first fragment the capture cut is not: the loader
   * sends no later fragments (they carry no ports), and its UDP or TCP header says how long the datagram was, so it
   * goes on at once as a datagram cut by the capture. Shared with the L7Job.
   */
  public static boolean reassembles(PacketHeader h) {
    boolean cut = h.layer >= 4 && h.ipTotalLength > 0 && h.payloadOffset + h.payloadLength < h.ipOffset + h.ipTotalLength;
    return h.isFragment() && !(h.fragmentOffset == 0 && cut);
  }

  /** One captured frame of a pcap link type. */
  public void onFrame(long ns, int linkType, byte[] data, int len) {
    PacketHeader h = triage(linkType, data, len, header, summary);
    if (h == null) {
      return;
    }
    byte[] buf = data;
    boolean datagram = reassembles(h);
    if (datagram) {
      byte[] whole = defragmenter.offer(h, data, len, ns);
      if (whole == null || !PacketParser.parseIp(whole, 0, whole.length, reassembled)) {
        return;
      }
      h = reassembled;
      buf = whole;
      ns = defragmenter.completedStartNs();
    }
    if (worthKeying(h, buf, config, summary)) {
      onPacket(h, buf, ns, datagram);
    }
  }

  private void onPacket(PacketHeader h, byte[] buf, long ns, boolean reassembled) {
    ConnKey key = ConnKey.pair(h.srcAddr, h.srcPort, h.dstAddr, h.dstPort);
    Conversation c = conversations.get(key);
    boolean added = c == null;
    if (added) {
      c = new Conversation(cx);
    }
    c.onPacket(h, buf, ns, reassembled);
    if (c.isEmpty()) {
      conversations.remove(key);
      scheduled.remove(key);
      return;
    }
    if (added) {
      if (conversations.size() >= config.maxConnections()) {
        summary.problems.add(L7Problem.TCP_TABLE_FULL);
        c.finish();
        return;
      }
      conversations.put(key, c);
    }
    schedule(key, c);
  }

  private void schedule(ConnKey key, Conversation c) {
    long next = c.nextDeadline();
    Long current = scheduled.get(key);
    if (current == null || next < current) {
      scheduled.put(key, next);
      deadlines.add(new Due(next, key));
    }
  }

  /** Event time has reached {@code ns}: fire the timeouts due and evict idle connections. */
  public void advanceWatermark(long ns) {
    if (ns <= watermarkNs) {
      return;
    }
    watermarkNs = ns;
    defragmenter.advanceWatermark(ns);
    while (!deadlines.isEmpty() && deadlines.peek().deadlineNs <= ns) {
      Due due = deadlines.poll();
      Long current = scheduled.get(due.key);
      if (current == null || current != due.deadlineNs) {
        continue; // superseded by an earlier deadline, or the conversation is gone
      }
      scheduled.remove(due.key);
      Conversation c = conversations.get(due.key);
      if (c == null) {
        continue;
      }
      c.advanceTo(ns);
      if (c.isEmpty()) {
        conversations.remove(due.key);
      } else {
        schedule(due.key, c);
      }
    }
  }

  /** End of input: close every connection and time out everything pending. */
  public void finish() {
    for (Conversation c : new ArrayList<>(conversations.values())) {
      c.finish();
    }
    conversations.clear();
    scheduled.clear();
    deadlines.clear();
    defragmenter.advanceWatermark(Long.MAX_VALUE);
  }
}
