package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFinalizer;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * FlowJob's decode state across checkpoints, told by an exporter's sequence tracker (NetFlow v5 counts records): a
 * checkpoint holds the tracker as it was when taken, even when the next datagram changes it (in place, on the heap
 * backend) before the asynchronous part of the snapshot has written it; and a checkpoint written before the trackers
 * were an object of their own (main at 940b780: their binary form in the byte[] state "sequences") restores into this
 * one with the same loss count.
 */
class DecodeFlowsStateTest {
  static final byte[] EXPORTER = {10, 0, 0, 1};
  static final int RECORDS = 10;
  /** Written by {@link #main} with main 940b780's classes (see its comment). */
  static final String OLD_LAYOUT = "decode-state-940b780-%s.snapshot";

  /**
   * Part one leaves the tracker expecting sequence 35; after the checkpoint, 35 moves it to 45. Restored from the
   * checkpoint, 40 is 5 records lost; from a tracker changed after it, 40 would be a reorder.
   */
  @Test
  void aCheckpointHoldsTheTrackersAsTheyWereWhenTaken() throws Exception {
    KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, io.sluice.decode.flow.FlowRecord> before =
        harness(false);
    before.open();
    partOne(before);
    OperatorSnapshotFutures running = before.getOperator().snapshotState(1, 1,
        CheckpointOptions.forCheckpointWithDefaultLocation(), new MemCheckpointStreamFactory(64 << 20));
    datagram(before, 35); // changes the tracker while the snapshot is unwritten
    assertEquals(0, lastLost(before));
    OperatorSubtaskState checkpoint = OperatorSnapshotFinalizer.create(running).getJobManagerOwnedState();
    before.close();

    assertEquals(5, lostAfterRestoring(checkpoint, false), "sequence 40 after the checkpoint's 35");
  }

  @Test
  void aHeapCheckpointInTheOldLayoutRestoresTheTrackers() throws Exception {
    assertEquals(5, lostAfterRestoring(old("heap"), false));
  }

  @Test
  void aRocksDbCheckpointInTheOldLayoutRestoresTheTrackers() throws Exception {
    assertEquals(5, lostAfterRestoring(old("rocksdb"), true));
  }

  /** A key not touched since the restore is still in the old layout in the next checkpoint, and still read. */
  @Test
  void aCheckpointTakenRightAfterRestoringTheOldLayoutRestoresTheTrackers() throws Exception {
    KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, io.sluice.decode.flow.FlowRecord> restored =
        harness(false);
    restored.initializeState(old("heap"));
    restored.open();
    OperatorSubtaskState again = restored.snapshot(2, 2);
    restored.close();
    assertEquals(5, lostAfterRestoring(again, false));
  }

  /** The trackers as an object of their own on RocksDB too: checkpointed after every datagram's put. */
  @Test
  void aRocksDbCheckpointOfThisLayoutRestoresTheTrackers() throws Exception {
    KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, io.sluice.decode.flow.FlowRecord> h =
        harness(true);
    h.open();
    partOne(h);
    OperatorSubtaskState checkpoint = h.snapshot(1, 1);
    h.close();
    assertEquals(5, lostAfterRestoring(checkpoint, true));
  }

  private static int lostAfterRestoring(OperatorSubtaskState checkpoint, boolean rocks) throws Exception {
    KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, io.sluice.decode.flow.FlowRecord> after =
        harness(rocks);
    after.initializeState(checkpoint);
    after.open();
    datagram(after, 40);
    int lost = lastLost(after);
    after.close();
    return lost;
  }

  private static OperatorSubtaskState old(String backend) throws Exception {
    Path copy = Files.createTempFile("decode-state", ".snapshot");
    try (InputStream in = DecodeFlowsStateTest.class.getResourceAsStream(String.format(OLD_LAYOUT, backend))) {
      Files.write(copy, in.readAllBytes());
    }
    try {
      return OperatorSnapshotUtil.readStateHandle(copy.toString());
    } finally {
      Files.delete(copy);
    }
  }

  /** Sequences 0, 10 and 25 of 10 records each: 5 lost, the tracker then expects 35. */
  static void partOne(KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, ?> h) throws Exception {
    datagram(h, 0);
    datagram(h, 10);
    datagram(h, 25);
    if (lastLost(h) != 5) {
      throw new AssertionError("part one should lose 5 records");
    }
  }

  /** A NetFlow v5 datagram of {@link #RECORDS} records with this flow sequence. */
  static void datagram(KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, ?> h, long sequence)
      throws Exception {
    ByteBuffer b = ByteBuffer.allocate(24 + 48 * RECORDS);
    b.putShort((short) 5).putShort((short) RECORDS).putInt(100_000).putInt(1_700_000_000).putInt(0)
        .putInt((int) sequence);
    for (int i = 0; i < RECORDS; i++) {
      int p = 24 + 48 * i;
      b.put(p, new byte[] {10, 1, 0, (byte) i}).put(p + 4, new byte[] {10, 2, 0, 1});
      b.putInt(p + 16, 1).putInt(p + 20, 100).putInt(p + 24, 99_000).putInt(p + 28, 99_500);
      b.putShort(p + 32, (short) (40_000 + i)).putShort(p + 34, (short) 443);
      b.put(p + 38, (byte) 6);
    }
    RawDatagram r = new RawDatagram();
    r.exporterAddr = new byte[16];
    r.exporterAddr[10] = (byte) 0xFF;
    r.exporterAddr[11] = (byte) 0xFF;
    System.arraycopy(EXPORTER, 0, r.exporterAddr, 12, 4);
    r.udpSourceAddr = r.exporterAddr;
    r.receivedNs = 1_700_000_000_000_000_000L + sequence * 1_000_000;
    r.collectorId = "test";
    r.payload = b.array();
    h.processElement(r, r.receivedNs / 1_000_000);
  }

  /** The last datagram's lost records, from its exporter_stats. */
  static int lastLost(KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, ?> h) {
    DatagramStats last = null;
    for (StreamRecord<DatagramStats> r : h.getSideOutput(DecodeFlows.STATS)) {
      last = r.getValue();
    }
    if (last == null) {
      throw new AssertionError("no exporter stats");
    }
    return (int) last.lostRecords;
  }

  /** A decode harness not yet opened (so that a state backend and restored state can still be given). */
  static KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, io.sluice.decode.flow.FlowRecord> harness(
      boolean rocks) throws Exception {
    KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, io.sluice.decode.flow.FlowRecord> h =
        new KeyedBroadcastOperatorTestHarness<>(new CoBroadcastWithKeyedOperator<>(new DecodeFlows(null, "unused"),
            List.of(DecodeFlows.REGISTRY)), RawDatagram::key, Types.STRING, 1, 1, 0);
    if (rocks) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
    }
    return h;
  }

  /**
   * Writes the old-layout snapshots (heap and RocksDB, after {@link #partOne}) beside this test's resources. Run with
   * main 940b780's classes (its job jar) ahead of this build's on the class path:
   * {@code java -cp MAIN_JOB_JAR:target/test-classes:... io.sluice.jobs.flow.DecodeFlowsStateTest DIR}.
   */
  public static void main(String[] args) throws Exception {
    for (boolean rocks : new boolean[] {false, true}) {
      KeyedBroadcastOperatorTestHarness<String, RawDatagram, SourceUpdate, io.sluice.decode.flow.FlowRecord> h =
          harness(rocks);
      h.open();
      partOne(h);
      OperatorSnapshotUtil.writeStateHandle(h.snapshot(1, 1),
          Path.of(args[0], String.format(OLD_LAYOUT, rocks ? "rocksdb" : "heap")).toString());
      h.close();
    }
  }
}
