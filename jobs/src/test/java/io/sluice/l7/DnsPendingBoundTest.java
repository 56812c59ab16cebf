package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.l7.bench.BenchPackets;
import io.sluice.l7.reassembly.MemoryBudget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Issue 21, item 3: unanswered DNS queries are bounded by their stored bytes, per conversation and across the
 * conversations of a job subtask (its shared budget), in the form the L7Job keeps in keyed state.
 */
class DnsPendingBoundTest {
  private static final int CLIENT = 0x0A000001;
  private static final int SERVER = 0x08080808;
  /** A long name: about 180 stored bytes per pending query. */
  private static final String NAME = "a-rather-long-label-to-make-each-query-costly.subdomain.example.com";

  private final CollectingSink sink = new CollectingSink();
  private final L7Summary summary = new L7Summary();
  private final L7Context cx = new L7Context(L7Config.defaults(), summary, sink, new MemoryBudget(Long.MAX_VALUE));
  private final PacketHeader header = new PacketHeader();

  private void query(Conversation c, int clientPort, int id, long ns) {
    byte[] packet = BenchPackets.udp4(CLIENT, SERVER, clientPort, 53, BenchPackets.dns(id, id + "." + NAME, false));
    assertTrue(PacketParser.parse(101, packet, 0, packet.length, header));
    c.onPacket(header, packet, ns);
  }

  private void answer(Conversation c, int clientPort, int id, long ns) {
    byte[] packet = BenchPackets.udp4(SERVER, CLIENT, 53, clientPort, BenchPackets.dns(id, id + "." + NAME, true));
    assertTrue(PacketParser.parse(101, packet, 0, packet.length, header));
    c.onPacket(header, packet, ns);
  }

  private static byte[] stored(Conversation c) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    c.write(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }

  /** 20,000 unanswered queries on one conversation (3.6 MB unbounded) keep at most 1 MiB; the rest time out early. */
  @Test
  void oneConversationKeepsAtMostItsByteBound() throws IOException {
    Conversation c = new Conversation(cx);
    int sent = 20_000;
    for (int i = 0; i < sent; i++) {
      query(c, 40_000, i, 1_000L + i); // within one timeout: none expires on time
    }
    int held = stored(c).length;
    assertTrue(held <= DnsJoin.MAX_PENDING_BYTES + 4_096, "stored conversation: " + held + " bytes");
    assertTrue(held >= DnsJoin.MAX_PENDING_BYTES - 4_096, "the bound is used, not less: " + held);
    long early = summary.problems.get(L7Problem.DNS_PENDING_TABLE_FULL);
    assertTrue(early > 0);
    assertEquals(early, sink.dns.size(), "each query given up is a timeout row");
    assertTrue(sink.dns.stream().allMatch(r -> r.status().equals(RowStatus.TIMEOUT)));
    c.finish();
    assertEquals(sent, sink.dns.size(), "every query is a row in the end");
  }

  /**
   * Ten conversations with a subtask budget of 300,000 bytes: together they keep at most that; restored from their
   * stored form (as the job does between packets) they give the bytes back as their queries are answered or time
   * out; a conversation with nothing of its own pending makes its query a timeout row when the budget is spent.
   */
  @Test
  void conversationsShareTheSubtaskBudget() throws IOException {
    MemoryBudget budget = new MemoryBudget(300_000);
    cx.dnsPendingBudget(budget);
    byte[][] saved = new byte[10][];
    long total = 0;
    for (int k = 0; k < 10; k++) {
      Conversation c = new Conversation(cx);
      for (int i = 0; i < 500; i++) {
        query(c, 41_000 + k, i, 1_000L + i);
      }
      saved[k] = stored(c);
      total += saved[k].length;
    }
    assertTrue(total <= 300_000 + 10 * 4_096, "ten conversations store " + total + " bytes");
    assertTrue(budget.used() <= 300_000 && budget.used() > 250_000, "used " + budget.used());
    assertTrue(summary.problems.get(L7Problem.DNS_PENDING_TABLE_FULL) > 0);

    Conversation fresh = new Conversation(cx);
    int rows = sink.dns.size();
    budget = new MemoryBudget(300_000, 300_000); // spent
    cx.dnsPendingBudget(budget);
    query(fresh, 42_000, 1, 2_000L);
    assertEquals(rows + 1, sink.dns.size(), "a query with no room is a timeout row at once");
    assertTrue(fresh.isEmpty());

    budget = new MemoryBudget(300_000, total);
    cx.dnsPendingBudget(budget);
    long before = budget.used();
    Conversation first = Conversation.read(new DataInputStream(new ByteArrayInputStream(saved[0])), cx);
    assertEquals(before, budget.used(), "a restored conversation does not reserve again");
    int firstHeld = 0;
    for (int i = 0; i < 500; i++) {
      answer(first, 41_000, i, 5_000L + i);
    }
    first.finish();
    firstHeld = saved[0].length;
    assertTrue(budget.used() < before && budget.used() >= before - firstHeld,
        "answered and timed-out queries give their bytes back: " + before + " -> " + budget.used());
  }
}
