package io.sluice.jobs.l7;

import static io.sluice.jobs.l7.JoinConversationsTest.dns;
import static io.sluice.jobs.l7.JoinConversationsTest.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.packet.PacketParser;
import io.sluice.l7.ProcessAttribution;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFinalizer;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * The join's keyed state across checkpoints: a checkpoint holds the conversations as they were when it was taken,
 * even when the job changes them (in place, on the heap backend) before the asynchronous part of the snapshot has
 * written them; and a checkpoint written by the join before {@link ConversationState} (main at ae5bf82: the
 * conversation's bytes and its deadline in two states of their own) restores into this one with the same rows.
 */
class JoinConversationsStateTest {
  static final String NODE = "n1";
  static final long T = 1_700_000_000_000_000_000L;
  static final long MS = 1_000_000L;
  static final byte[] CLIENT = JoinConversationsTest.CLIENT;
  static final byte[] SERVER = JoinConversationsTest.SERVER;
  static final int KEYS = 20;
  /** Written by {@link #main} with main ae5bf82's classes (see its comment). */
  static final String OLD_LAYOUT = "join-state-ae5bf82-%s.snapshot";

  /** A query answered before a checkpoint and another changed after it: the checkpoint has the first only. */
  @Test
  void aCheckpointHoldsTheConversationAsItWasWhenTaken() throws Exception {
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> before = harness(false);
    before.open();
    query(before, 40000, 1, T);
    passes(before, T + MS); // the conversation holds query 1, pending
    OperatorSnapshotFutures running = before.getOperator().snapshotState(1, 1,
        CheckpointOptions.forCheckpointWithDefaultLocation(), new MemCheckpointStreamFactory(64 << 20));
    query(before, 40000, 2, T + 2 * MS); // query 2 joins the same conversation while the snapshot is unwritten
    passes(before, T + 3 * MS);
    OperatorSubtaskState checkpoint = OperatorSnapshotFinalizer.create(running).getJobManagerOwnedState();
    before.close();

    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> after = harness(false);
    after.initializeState(checkpoint);
    after.open();
    answer(after, 40000, 1, T + 10 * MS);
    after.processBothWatermarks(new Watermark(Long.MAX_VALUE));
    List<byte[]> rows = after.extractOutputValues();
    after.close();

    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> expected = harness(false);
    expected.open();
    query(expected, 40000, 1, T);
    answer(expected, 40000, 1, T + 10 * MS);
    expected.processBothWatermarks(new Watermark(Long.MAX_VALUE));
    assertEquals(1, expected.extractOutputValues().size());
    assertEquals(hex(expected.extractOutputValues()), hex(rows),
        "query 1's answered row only: query 2 came after the checkpoint");
    expected.close();
  }

  @Test
  void aHeapCheckpointInTheOldLayoutRestoresWithTheSameRows() throws Exception {
    restoresTheOldLayout(false);
  }

  @Test
  void aRocksDbCheckpointInTheOldLayoutRestoresWithTheSameRows() throws Exception {
    restoresTheOldLayout(true, false);
  }

  /** Keys not touched since the restore are still in the old layout in the next checkpoint, and still read. */
  @Test
  void aCheckpointTakenRightAfterRestoringTheOldLayoutRestoresWithTheSameRows() throws Exception {
    restoresTheOldLayout(false, true);
  }

  private void restoresTheOldLayout(boolean rocks) throws Exception {
    restoresTheOldLayout(rocks, false);
  }

  private void restoresTheOldLayout(boolean rocks, boolean checkpointAgain) throws Exception {
    OperatorSubtaskState old;
    String name = String.format(OLD_LAYOUT, rocks ? "rocksdb" : "heap");
    Path copy = Files.createTempFile("join-state", ".snapshot");
    try (InputStream in = getClass().getResourceAsStream(name)) {
      Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      old = OperatorSnapshotUtil.readStateHandle(copy.toString());
    } finally {
      Files.deleteIfExists(copy);
    }
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> restored = harness(rocks);
    restored.initializeState(old);
    restored.open();
    if (checkpointAgain) {
      OperatorSubtaskState again = restored.snapshot(2, 2);
      restored.close();
      restored = harness(rocks);
      restored.initializeState(again);
      restored.open();
    }
    partTwo(restored);
    List<byte[]> rows = restored.extractOutputValues();

    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> uninterrupted = harness(rocks);
    uninterrupted.open();
    partOne(uninterrupted);
    uninterrupted.getOutput().clear();
    partTwo(uninterrupted);
    List<byte[]> expected = uninterrupted.extractOutputValues();
    uninterrupted.close();
    // the odd keys' first queries answered after the cut but the last one, which times out, and five more queries
    // (the keys 0, 3, 6, ... name their process: sightings kept across the checkpoint)
    assertEquals(KEYS / 2 - 1 + 1 + 5, expected.size());
    assertEquals(hex(expected), hex(rows));
    for (String state : new String[] {"join", "conversation", "deadline"}) {
      try (java.util.stream.Stream<Object> keys =
          restored.getOperator().getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
        assertEquals(0, keys.count(), "nothing left in " + state + ", in either layout");
      }
    }
    restored.close();
  }

  /**
   * Up to the checkpoint: on every key a query, the even keys' answered; five more queries still queued (event time
   * has not passed them).
   */
  static void partOne(KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h) throws Exception {
    for (int k = 0; k < KEYS; k++) {
      if (k % 3 == 0) {
        socket(h, 41000 + k, 4000 + k, T + k * MS - MS);
      }
      query(h, 41000 + k, k, T + k * MS);
      if (k % 2 == 0) {
        answer(h, 41000 + k, k, T + k * MS + 200_000);
      }
    }
    passes(h, T + KEYS * MS);
    for (int k = 0; k < 5; k++) {
      query(h, 41000 + k, 500 + k, T + (KEYS + 10) * MS);
    }
  }

  /** After it: the odd keys' answers but the last key's, the five queued queries' answers, then the end of input. */
  static void partTwo(KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h) throws Exception {
    for (int k = 1; k < KEYS - 1; k += 2) {
      answer(h, 41000 + k, k, T + (KEYS + 20) * MS + k * MS);
    }
    for (int k = 0; k < 5; k++) {
      answer(h, 41000 + k, 500 + k, T + (KEYS + 60) * MS);
    }
    passes(h, T + (KEYS + 100) * MS);
    h.processBothWatermarks(new Watermark(Long.MAX_VALUE));
  }

  /**
   * Writes the old-layout snapshots beside this test's resources. Run with main ae5bf82's classes (the operator
   * before {@link ConversationState}) ahead of this build's on the class path:
   * {@code java -cp OLD/classes:target/test-classes:... io.sluice.jobs.l7.JoinConversationsStateTest DIR}.
   */
  public static void main(String[] args) throws Exception {
    for (boolean rocks : new boolean[] {false, true}) {
      KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h =
          harness(new KeyedCoProcessOperator<>(new JoinConversations()), rocks);
      h.open();
      partOne(h);
      OperatorSnapshotUtil.writeStateHandle(h.snapshot(1, 1),
          Path.of(args[0], String.format(OLD_LAYOUT, rocks ? "rocksdb" : "heap")).toString());
      h.close();
    }
  }

  /** A join harness not yet opened (so that a state backend and restored state can still be given). */
  static KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> harness(boolean rocks)
      throws Exception {
    return harness(new JoinOperator(new JoinConversations()), rocks);
  }

  /**
   * Not ProcessFunctionTestHarnesses: it opens the harness, after which a state backend is no longer taken. The
   * operator's type is the interface so that this class still loads with main ae5bf82's classes (no JoinOperator),
   * as {@link #main} and {@link JoinOperatorBench}'s "before" runs need.
   */
  static KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> harness(
      TwoInputStreamOperator<KeyedPacket, KeyedSocket, byte[]> join, boolean rocks) throws Exception {
    KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h =
        new KeyedTwoInputStreamOperatorTestHarness<>(join, KeyedPacket::key, KeyedSocket::key,
            PacketKeySerializer.TYPE, 1, 1, 0);
    if (rocks) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
    }
    return h;
  }

  static void query(KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h, int clientPort, int id, long ns) throws Exception {
    packet(h, clientPort, udp(CLIENT, clientPort, SERVER, 53, dns(id, false)), ns);
  }

  static void answer(KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h, int clientPort, int id, long ns) throws Exception {
    packet(h, clientPort, udp(SERVER, 53, CLIENT, clientPort, dns(id, true)), ns);
  }

  private static void packet(KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h, int clientPort, byte[] ip, long ns) throws Exception {
    KeyedPacket p = new KeyedPacket(PacketKeys.conversation(NODE, CLIENT, clientPort, SERVER, 53), ns,
        PacketParser.LINKTYPE_RAW, ip);
    h.processElement1(p, ns / MS);
  }

  private static void socket(KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h,
      int clientPort, int pid, long ns) throws Exception {
    KeyedSocket s = JoinConversationsTest.sighting(ns, clientPort, true, pid, "dig", "", "", "", 77);
    h.processElement2(s, ns / MS);
  }

  static void passes(KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> h, long ns) throws Exception {
    h.processBothWatermarks(new Watermark((ns + ProcessAttribution.AFTER_NS) / MS + 1));
  }

  static List<String> hex(List<byte[]> rows) {
    List<String> out = new ArrayList<>();
    for (byte[] r : rows) {
      out.add(HexFormat.of().formatHex(r));
    }
    out.sort(null);
    return out;
  }
}
