package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The shuffle's and the join queue's format for packets: what goes in comes out, whatever the node's characters,
 * and a checkpoint whose queue was written as POJOs (before this serializer) is migrated, not refused.
 */
class KeyedPacketSerializerTest {
  private final TypeSerializer<KeyedPacket> serializer =
      TypeInformation.of(KeyedPacket.class).createSerializer(new SerializerConfigImpl());

  /** Each caller gets an instance of its own: an instance keeps buffers and a cache, so it is not thread-safe. */
  @Test
  void flinkUsesItOneInstancePerCaller() {
    assertInstanceOf(KeyedPacketSerializer.class, serializer);
    assertNotSame(serializer, TypeInformation.of(KeyedPacket.class).createSerializer(new SerializerConfigImpl()));
    assertNotSame(serializer, serializer.duplicate());
    assertEquals(serializer, serializer.duplicate());
  }

  @Test
  void aPacketComesBackAsItWasWritten() throws Exception {
    byte[] a = io.sluice.net.IpAddresses.parse("10.0.0.1");
    byte[] b = io.sluice.net.IpAddresses.parse("fe80::c0a8:c8ff");
    for (String node : List.of("node-1", "nœud-ü", "узел-Ω", "")) {
      String key = PacketKeys.conversation(node, a, 53, b, 40_000);
      KeyedPacket back = roundTrip(new KeyedPacket(key, 1_700_000_000_123_456_789L, 101, new byte[] {1, (byte) 0xff, 3}));
      assertEquals(key, back.key);
      assertEquals(node, back.node());
      assertEquals(1_700_000_000_123_456_789L, back.capturedNs);
      assertEquals(101, back.linkType);
      assertArrayEquals(new byte[] {1, (byte) 0xff, 3}, back.data);
    }
  }

  /**
   * Triage's packets name their frame within the Kafka record's bytes: written (on the network and in a checkpoint)
   * and copied as the frame alone, the same bytes as a packet holding just the frame.
   */
  @Test
  void aFrameWithinALargerArrayIsWrittenAndCopiedAlone() throws Exception {
    String key = PacketKeys.conversation("node-1", io.sluice.net.IpAddresses.parse("10.0.0.1"), 53,
        io.sluice.net.IpAddresses.parse("10.0.0.2"), 40_000);
    KeyedPacket alone = new KeyedPacket(key, 5L, 1, new byte[] {1, 2, 3});
    KeyedPacket within = new KeyedPacket(key, 5L, 1, new byte[] {9, 9, 1, 2, 3, 9}, 2, 3);
    DataOutputSerializer expected = new DataOutputSerializer(64);
    serializer.serialize(alone, expected);
    DataOutputSerializer network = new DataOutputSerializer(8);
    serializer.serialize(within, network);
    assertArrayEquals(expected.getCopyOfBuffer(), network.getCopyOfBuffer());
    java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
    serializer.serialize(within, new org.apache.flink.core.memory.DataOutputViewStreamWrapper(stream));
    assertArrayEquals(expected.getCopyOfBuffer(), stream.toByteArray());
    assertArrayEquals(new byte[] {1, 2, 3}, roundTrip(within).data);
    assertArrayEquals(new byte[] {1, 2, 3}, serializer.copy(within).data);
  }

  /** The bytes of the format as first written field by field (checkpoints of the join's queue from then restore). */
  @Test
  void writesTheFormatQueuesWereCheckpointedIn() throws Exception {
    byte[] a = io.sluice.net.IpAddresses.parse("10.0.0.1");
    byte[] b = io.sluice.net.IpAddresses.parse("fe80::c0a8:c8ff");
    for (String node : List.of("node-1", "nœud-ü", "узел-Ω", "")) {
      KeyedPacket p = new KeyedPacket(PacketKeys.conversation(node, a, 53, b, 40_000), -1_700_000_000_123_456_789L, 276,
          new byte[] {1, (byte) 0xff, 3});
      DataOutputSerializer expected = new DataOutputSerializer(64);
      if (p.key.chars().allMatch(c -> c <= 0xFF)) {
        expected.writeInt(p.key.length() << 1);
        expected.write(p.key.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      } else {
        expected.writeInt(1);
        org.apache.flink.types.StringValue.writeString(p.key, expected);
      }
      expected.writeLong(p.capturedNs);
      expected.writeInt(p.linkType);
      expected.writeInt(p.data.length);
      expected.write(p.data);
      java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
      serializer.serialize(p, new org.apache.flink.core.memory.DataOutputViewStreamWrapper(stream));
      assertArrayEquals(expected.getCopyOfBuffer(), stream.toByteArray(), node);
      DataOutputSerializer network = new DataOutputSerializer(8); // the shuffle's buffer: written without a head array
      serializer.serialize(p, network);
      assertArrayEquals(expected.getCopyOfBuffer(), network.getCopyOfBuffer(), node);
    }
  }

  /**
   * Keys read again come from the reader's cache of recent keys: more conversations than it has slots, read in turn
   * and again, each read gives its own key; and a second thread reading with a duplicate (as Flink gives another
   * thread) reads the same.
   */
  @Test
  void keysReadAgainAreTheirOwn() throws Exception {
    List<String> keys = new java.util.ArrayList<>();
    byte[] server = io.sluice.net.IpAddresses.parse("10.0.0.53");
    for (int i = 0; i < 3 * KeyCache.SIZE; i++) {
      byte[] client = io.sluice.net.IpAddresses.parse("10.1." + (i >> 8) + "." + (i & 0xFF));
      keys.add(PacketKeys.conversation(i % 2 == 0 ? "node-1" : "node-2", client, 40_000 + i % 7, server, 53));
    }
    KeyedPacketSerializer reader = new KeyedPacketSerializer();
    Runnable readAll = () -> {
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < keys.size(); i += round + 1) {
          DataOutputSerializer out = new DataOutputSerializer(64);
          try {
            serializer.serialize(new KeyedPacket(keys.get(i), i, 1, new byte[] {(byte) i}), out);
            KeyedPacket back = reader.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertEquals(keys.get(i), back.key);
            assertEquals(i, back.capturedNs);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    };
    readAll.run();
    readAll.run();
    KeyedPacketSerializer other = reader.duplicate();
    assertNotSame(reader, other);
    java.util.concurrent.CompletableFuture.runAsync(() -> {
      for (int i = 0; i < keys.size(); i++) {
        DataOutputSerializer out = new DataOutputSerializer(64);
        try {
          other.serialize(new KeyedPacket(keys.get(i), i, 1, new byte[] {(byte) i}), out);
          assertEquals(keys.get(i), other.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())).key);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }).get();
  }

  @Test
  void itsSnapshotRestoresItAsIs() throws Exception {
    TypeSerializerSnapshot<KeyedPacket> restored = restore(serializer.snapshotConfiguration());
    assertInstanceOf(KeyedPacketSerializer.class, restored.restoreSerializer());
    assertNotSame(restored.restoreSerializer(), restored.restoreSerializer());
    assertTrue(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs());
  }

  /** A queue written by the POJO serializer KeyedPacket had: read with that serializer, then written with this one. */
  @Test
  void aPojoQueueFromBeforeIsMigrated() throws Exception {
    PojoTypeInfo<KeyedPacket> pojo = new PojoTypeInfo<>(KeyedPacket.class, List.of(
        new PojoField(KeyedPacket.class.getField("key"), BasicTypeInfo.STRING_TYPE_INFO),
        new PojoField(KeyedPacket.class.getField("capturedNs"), BasicTypeInfo.LONG_TYPE_INFO),
        new PojoField(KeyedPacket.class.getField("linkType"), BasicTypeInfo.INT_TYPE_INFO),
        new PojoField(KeyedPacket.class.getField("data"), PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)));
    TypeSerializer<KeyedPacket> old = pojo.createSerializer(new SerializerConfigImpl());
    TypeSerializerSnapshot<KeyedPacket> oldSnapshot = restore(old.snapshotConfiguration());
    assertTrue(serializer.snapshotConfiguration().resolveSchemaCompatibility(oldSnapshot).isCompatibleAfterMigration());

    DataOutputSerializer written = new DataOutputSerializer(64);
    old.serialize(new KeyedPacket("n\0k", 7L, 1, new byte[] {4, 5}), written);
    KeyedPacket read = oldSnapshot.restoreSerializer()
        .deserialize(new DataInputDeserializer(written.getCopyOfBuffer()));
    KeyedPacket migrated = roundTrip(read);
    assertEquals("n\0k", migrated.key);
    assertEquals(7L, migrated.capturedNs);
    assertArrayEquals(new byte[] {4, 5}, migrated.data);
  }

  private KeyedPacket roundTrip(KeyedPacket p) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(p, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    KeyedPacket back = serializer.deserialize(in);
    assertEquals(0, in.available(), "read to its end");
    return back;
  }

  static <T> TypeSerializerSnapshot<T> restore(TypeSerializerSnapshot<T> snapshot) throws Exception {
    DataOutputSerializer out = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
        KeyedPacketSerializerTest.class.getClassLoader());
  }
}
