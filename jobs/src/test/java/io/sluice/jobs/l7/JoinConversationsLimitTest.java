package io.sluice.jobs.l7;

import static io.sluice.jobs.l7.JoinConversationsStateTest.answer;
import static io.sluice.jobs.l7.JoinConversationsStateTest.hex;
import static io.sluice.jobs.l7.JoinConversationsStateTest.passes;
import static io.sluice.jobs.l7.JoinConversationsStateTest.query;
import static io.sluice.jobs.l7.JoinConversationsTest.MS;
import static io.sluice.jobs.l7.JoinConversationsTest.NODE;
import static io.sluice.jobs.l7.JoinConversationsTest.T;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.l7.L7Problem;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The join's cap on open conversations (keys holding join state) per subtask: past it, a packet of a new
 * conversation is counted as conversation_limit and dropped, the open ones go on, and new ones are taken again once
 * some close; the count is the restored state's keys after a restore and after a rescale.
 */
class JoinConversationsLimitTest {
  private static final int MAX_PARALLELISM = 128;

  @Test
  void theConversationsPastTheCapAreCountedAndGiveNoRowsTheOthersJoinAsUncapped() throws Exception {
    JoinConversations capped = capped(3);
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h = harness(capped, 1, 0);
    h.open();
    queries(h, 5);
    assertEquals(3, capped.openKeys());
    assertEquals(2, limited(capped), "the queries of the 4th and 5th conversations");
    for (int k = 0; k < 5; k++) {
      answer(h, 41000 + k, k, T + k * MS + 200_000); // the open conversations' answers go on at the cap
    }
    assertEquals(4, limited(capped), "and their answers");
    passes(h, T + 10 * MS);
    assertEquals(0, capped.openKeys(), "all answered: every key's state cleared");

    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> uncapped =
        harness(new JoinConversations(), 1, 0);
    uncapped.open();
    queries(uncapped, 3);
    for (int k = 0; k < 3; k++) {
      answer(uncapped, 41000 + k, k, T + k * MS + 200_000);
    }
    passes(uncapped, T + 10 * MS);
    assertEquals(3, uncapped.extractOutputValues().size());
    assertEquals(hex(uncapped.extractOutputValues()), hex(h.extractOutputValues()),
        "the admitted conversations' rows, as without the cap; none for the others");

    query(h, 41005, 5, T + 20 * MS); // the closed ones made room
    answer(h, 41005, 5, T + 20 * MS + 200_000);
    passes(h, T + 30 * MS);
    assertEquals(4, h.extractOutputValues().size(), "a new conversation is taken and joined again");
    assertEquals(4, limited(capped));
    assertEquals(4L, capped.summary(NODE).counts().get("problem.conversation_limit"), "in the node's summary");
    uncapped.close();
    h.close();
  }

  @Test
  void afterARestoreTheOpenConversationsStillCountAgainstTheCap() throws Exception {
    JoinConversations before = capped(3);
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h = harness(before, 1, 0);
    h.open();
    queries(h, 3); // queued: event time has not passed them
    OperatorSubtaskState checkpoint = h.snapshot(1, 1);
    h.close();

    JoinConversations after = capped(3);
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> restored = harness(after, 1, 0);
    restored.initializeState(checkpoint);
    restored.open();
    assertEquals(3, after.openKeys(), "the restored keys");
    query(restored, 41003, 3, T + 3 * MS);
    assertEquals(1, limited(after), "still at the cap");
    for (int k = 0; k < 3; k++) {
      answer(restored, 41000 + k, k, T + k * MS + 200_000);
    }
    passes(restored, T + 10 * MS);
    assertEquals(3, restored.extractOutputValues().size(), "the restored conversations' rows");
    assertEquals(0, after.openKeys());
    query(restored, 41004, 4, T + 20 * MS);
    answer(restored, 41004, 4, T + 20 * MS + 200_000);
    passes(restored, T + 30 * MS);
    assertEquals(4, restored.extractOutputValues().size(), "a new conversation is taken again");
    assertEquals(1, limited(after));
    restored.close();
  }

  /** From one subtask to two: each counts the keys it was given (its key groups), together all of them. */
  @Test
  void afterARescaleEachSubtaskCountsTheKeysItHolds() throws Exception {
    int keys = 40;
    JoinConversations one = capped(1000);
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h = harness(one, 1, 0);
    h.open();
    queries(h, keys);
    assertEquals(keys, one.openKeys());
    OperatorSubtaskState checkpoint = h.snapshot(1, 1);
    h.close();

    long total = 0;
    Set<Object> seen = new HashSet<>();
    for (int subtask = 0; subtask < 2; subtask++) {
      JoinConversations part = capped(1000);
      KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> restored =
          harness(part, 2, subtask);
      restored.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(checkpoint,
          MAX_PARALLELISM, 1, 2, subtask));
      restored.open();
      long held;
      try (Stream<Object> stateKeys = restored.getOperator().getKeyedStateBackend()
          .getKeys("join", VoidNamespace.INSTANCE)) {
        held = stateKeys.peek(seen::add).count();
      }
      assertTrue(held > 0 && held < keys, "subtask " + subtask + " holds a part of the keys: " + held);
      assertEquals(held, part.openKeys(), "subtask " + subtask + " counts the keys it holds");
      total += part.openKeys();
      restored.close();
    }
    assertEquals(keys, total);
    assertEquals(keys, seen.size());
  }

  private static JoinConversations capped(long maxConversations) {
    return new JoinConversations(JoinConversations.DEFAULT_DNS_PENDING_BYTES, maxConversations);
  }

  /** A query on each of the first {@code count} keys, key k's at k ms. */
  private static void queries(KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h,
      int count) throws Exception {
    for (int k = 0; k < count; k++) {
      query(h, 41000 + k, k, T + k * MS);
    }
  }

  private static long limited(JoinConversations join) {
    return join.summary(NODE).problems.get(L7Problem.CONVERSATION_LIMIT);
  }

  /** A not yet opened harness of the job's operator, subtask {@code subtask} of {@code parallelism}. */
  private static KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> harness(
      JoinConversations join, int parallelism, int subtask) throws Exception {
    return new KeyedTwoInputStreamOperatorTestHarness<>(new JoinOperator(join), KeyedPacket::key, KeyedSocket::key,
        PacketKeySerializer.TYPE, MAX_PARALLELISM, parallelism, subtask);
  }
}
