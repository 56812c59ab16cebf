package io.sluice.jobs.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sluice.wire.FlowDatagram;
import io.sluice.wire.FlowProtocol;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The envelope read from its bytes, against protobuf's own parser; the datagram's serializer. */
class RawDatagramTest {
  private static final long T0 = 1_700_000_000_123_456_789L;

  private static String describe(RawDatagram d) {
    return d == null ? "null" : Arrays.toString(d.exporterAddr) + " " + d.exporterPort + " " + d.receivedNs + " "
        + d.collectorId + " " + Arrays.toString(d.payload) + " " + Arrays.toString(d.udpSourceAddr) + " "
        + d.sourceUpdatedNs;
  }

  private static byte[] envelope(SplittableRandom random) {
    byte[] addr = new byte[16];
    byte[] payload = new byte[1 + random.nextInt(60)];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) random.nextInt(256);
    }
    addr[10] = addr[11] = (byte) 0xFF;
    addr[15] = (byte) random.nextInt(256);
    FlowDatagram.Builder b = FlowDatagram.newBuilder().setExporterAddr(ByteString.copyFrom(addr))
        .setExporterPort(random.nextInt(65536)).setReceivedNs(T0 + random.nextInt(1_000_000))
        .setCollectorId(random.nextBoolean() ? "collector-é" : "").setProtocolHint(FlowProtocol.forNumber(random.nextInt(3)))
        .setPayload(ByteString.copyFrom(payload));
    if (random.nextBoolean()) {
      b.setUdpSourceAddr(ByteString.copyFrom(addr)).setSourceUpdatedNs(T0 - random.nextInt(1000));
    }
    return b.build().toByteArray();
  }

  private static byte[] mutate(byte[] e, SplittableRandom random) {
    byte[] m = e.clone();
    switch (random.nextInt(6)) {
      case 0 -> m[random.nextInt(m.length)] ^= (byte) (1 << random.nextInt(8));
      case 1 -> m = Arrays.copyOf(m, random.nextInt(m.length));
      case 2 -> m[random.nextInt(m.length)] = (byte) random.nextInt(256);
      case 3 -> { // a field appended: unknown, repeated, or a known number with another wire type
        byte[] extra = {(byte) ((1 + random.nextInt(12)) << 3 | random.nextInt(6)), (byte) random.nextInt(256),
            (byte) random.nextInt(256), (byte) random.nextInt(256), (byte) random.nextInt(256)};
        m = Arrays.copyOf(m, m.length + extra.length);
        System.arraycopy(extra, 0, m, e.length, extra.length);
      }
      case 4 -> {
        for (int i = 0; i < m.length; i++) {
          m[i] = (byte) random.nextInt(256);
        }
      }
      default -> {
        for (int i = 0; i < 3; i++) {
          m[random.nextInt(m.length)] = (byte) random.nextInt(256);
        }
      }
    }
    return m;
  }

  @Test
  void readsWhatProtobufReadsAndRejectsWhatItRejects() {
    SplittableRandom random = new SplittableRandom(22);
    int accepted = 0;
    int rejected = 0;
    for (int i = 0; i < 100_000; i++) {
      byte[] value = envelope(random);
      if (i % 4 != 0) {
        value = mutate(value, random);
      }
      RawDatagram expected = EnvelopeViaProtobuf.read(value);
      RawDatagram read = RawDatagram.fromEnvelope(value);
      assertEquals(describe(expected), describe(read), "envelope " + java.util.HexFormat.of().formatHex(value));
      if (read == null) {
        rejected++;
      } else {
        accepted++;
      }
    }
    assertTrue(accepted > 25_000 && rejected > 5_000, accepted + " accepted, " + rejected + " rejected");
  }

  @Test
  void aCollectorsEnvelopeIsReadWhole() {
    byte[] addr = new byte[16];
    addr[15] = 7;
    byte[] value = FlowDatagram.newBuilder().setExporterAddr(ByteString.copyFrom(addr)).setExporterPort(2055)
        .setReceivedNs(T0).setCollectorId("c1").setPayload(ByteString.copyFrom(new byte[] {0, 10}))
        .setUdpSourceAddr(ByteString.copyFrom(addr)).setSourceUpdatedNs(42).build().toByteArray();
    RawDatagram d = RawDatagram.fromEnvelope(value);
    assertNotNull(d);
    assertArrayEquals(addr, d.exporterAddr);
    assertEquals(2055, d.exporterPort);
    assertEquals(T0, d.receivedNs);
    assertEquals("c1", d.collectorId);
    assertArrayEquals(new byte[] {0, 10}, d.payload);
    assertArrayEquals(addr, d.udpSourceAddr);
    assertEquals(42, d.sourceUpdatedNs);
    assertNull(RawDatagram.fromEnvelope(null));
    assertNull(RawDatagram.fromEnvelope(new byte[0]));
  }

  @Test
  void theDatagramCrossesTheShuffleWithItsOwnSerializer() throws Exception {
    assertInstanceOf(RawDatagramSerializer.class,
        TypeInformation.of(RawDatagram.class).createSerializer(new SerializerConfigImpl()));
    RawDatagram d = RawDatagram.fromEnvelope(envelope(new SplittableRandom(1)));
    RawDatagram empty = new RawDatagram(); // nulls everywhere
    DataOutputSerializer out = new DataOutputSerializer(64);
    RawDatagramSerializer.INSTANCE.serialize(d, out);
    RawDatagramSerializer.INSTANCE.serialize(empty, out);
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    assertEquals(describe(d), describe(RawDatagramSerializer.INSTANCE.deserialize(in)));
    assertEquals(describe(empty), describe(RawDatagramSerializer.INSTANCE.deserialize(in)));
    assertEquals(0, in.available());
    RawDatagram copy = RawDatagramSerializer.INSTANCE.copy(d);
    assertEquals(describe(d), describe(copy));
    copy.payload[0]++;
    assertTrue(copy.payload[0] != d.payload[0], "a copy owns its arrays");
    assertInstanceOf(RawDatagramSerializer.class, RawDatagramSerializer.INSTANCE.snapshotConfiguration().restoreSerializer());
  }
}
