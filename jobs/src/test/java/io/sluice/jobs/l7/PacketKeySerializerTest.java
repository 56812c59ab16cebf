package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.packet.PacketParser;
import io.sluice.l7.ProcessAttribution;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The L7 job's key serializer writes Flink's string format byte for byte (so checkpoints from before it restore),
 * and reads back what it wrote ({@link L7JobGraphTest}: the job's keyed operators use it).
 */
class PacketKeySerializerTest {
  private static final byte[] A = io.sluice.net.IpAddresses.parse("10.0.0.1");
  private static final byte[] B = io.sluice.net.IpAddresses.parse("fe80::c0a8:c8ff");

  @Test
  void writesFlinksStringFormatByteForByte() throws Exception {
    List<String> keys = new ArrayList<>();
    for (String node : List.of("node-1", "nœud-ü", "узел-Ω", "", "x".repeat(200), "\uffff\u0080\u3fff\u4000")) {
      keys.add(PacketKeys.conversation(node, A, 53, B, 40_000));
      keys.add(node);
    }
    keys.add("y".repeat(20_000)); // a length of three 7-bit groups
    Random random = new Random(22);
    for (int i = 0; i < 200; i++) {
      char[] chars = new char[random.nextInt(300)];
      for (int j = 0; j < chars.length; j++) {
        chars[j] = (char) random.nextInt(0x10000);
      }
      keys.add(new String(chars));
    }
    for (String key : keys) {
      DataOutputSerializer flink = new DataOutputSerializer(64);
      StringSerializer.INSTANCE.serialize(key, flink);
      DataOutputSerializer ours = new DataOutputSerializer(64);
      PacketKeySerializer.INSTANCE.serialize(key, ours);
      assertArrayEquals(flink.getCopyOfBuffer(), ours.getCopyOfBuffer(), "key of length " + key.length());
      assertEquals(key, PacketKeySerializer.INSTANCE.deserialize(new DataInputDeserializer(ours.getCopyOfBuffer())));
    }
  }

  @Test
  void keysWrittenByFlinksStringSerializerAreReadAsTheyAre() throws Exception {
    TypeSerializerSnapshot<String> old = KeyedPacketSerializerTest.restore(StringSerializer.INSTANCE.snapshotConfiguration());
    assertTrue(PacketKeySerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(old).isCompatibleAsIs());
    TypeSerializerSnapshot<String> own = KeyedPacketSerializerTest.restore(PacketKeySerializer.INSTANCE.snapshotConfiguration());
    assertSame(PacketKeySerializer.INSTANCE, own.restoreSerializer());
    assertTrue(PacketKeySerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(own).isCompatibleAsIs());
  }

  /** A join checkpointed with Flink's string keys (before this serializer) resumes under it and gives its row. */
  @Test
  void aJoinCheckpointedWithStringKeysResumes() throws Exception {
    long t = JoinConversationsTest.T;
    long ms = JoinConversationsTest.MS;
    OperatorSubtaskState checkpoint;
    try (var before = join(Types.STRING)) {
      before.open();
      String key = PacketKeys.conversation("n1", JoinConversationsTest.CLIENT, 40000, JoinConversationsTest.SERVER, 53);
      before.processElement1(new KeyedPacket(key, t, PacketParser.LINKTYPE_RAW, JoinConversationsTest.udp(
          JoinConversationsTest.CLIENT, 40000, JoinConversationsTest.SERVER, 53, JoinConversationsTest.dns(7, false))), t / ms);
      before.processElement1(new KeyedPacket(key, t + 200_000, PacketParser.LINKTYPE_RAW, JoinConversationsTest.udp(
          JoinConversationsTest.SERVER, 53, JoinConversationsTest.CLIENT, 40000, JoinConversationsTest.dns(7, true))),
          t / ms);
      assertEquals(0, before.extractOutputValues().size(), "the packets wait for event time");
      checkpoint = before.snapshot(1, t / ms);
    }
    try (var after = join(PacketKeySerializer.TYPE)) {
      after.initializeState(checkpoint);
      after.open();
      assertEquals(1, after.numEventTimeTimers(), "the queue's timer, restored");
      after.processBothWatermarks(new Watermark((t + ms + ProcessAttribution.AFTER_NS) / ms + 1));
      assertEquals(1, after.extractOutputValues().size(), "the restored query and answer give their row");
      assertEquals(0, after.numKeyedStateEntries());
    }
  }

  private static KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> join(
      org.apache.flink.api.common.typeinfo.TypeInformation<String> keyType) throws Exception {
    return new KeyedTwoInputStreamOperatorTestHarness<>(new JoinOperator(new JoinConversations()),
        KeyedPacket::key, KeyedSocket::key, keyType);
  }
}
