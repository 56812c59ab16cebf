package io.sluice.ingest.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sluice.wire.FlowDatagram;
import io.sluice.wire.FlowProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The collector's hand-written envelope is byte for byte the generated {@link FlowDatagram}'s encoding. */
class FlowEnvelopeTest {
  private static final FlowProtocol[] PROTOCOLS = {FlowProtocol.FLOW_PROTOCOL_UNKNOWN, FlowProtocol.SFLOW_V5,
      FlowProtocol.NETFLOW_V5, FlowProtocol.NETFLOW_V9, FlowProtocol.IPFIX};

  /** Every datagram of the real flow captures, each with a different mix of header values, some at proto3 defaults. */
  @Test
  void realDatagramsEncodeAsTheGeneratedMessage() throws Exception {
    List<byte[]> payloads = new ArrayList<>();
    try (Stream<Path> files = Files.walk(UdpPayloads.fixtures().resolve("flows"))) {
      for (Path pcap : files.filter(p -> p.toString().endsWith(".pcap")).sorted().toList()) {
        try {
          UdpPayloads.read(pcap).forEach(d -> payloads.add(d.payload()));
        } catch (IllegalStateException notAllUdp) {
          // a capture with frames that are not whole UDP datagrams: not a payload source for this test
        }
      }
    }
    assertTrue(payloads.size() >= 100, "real datagrams read: " + payloads.size());
    Random random = new Random(22);
    FlowEnvelope envelope = new FlowEnvelope("collector-a");
    for (byte[] payload : payloads) {
      // the receive thread hands a longer, reused array: only [0, length) is the datagram
      byte[] buffer = Arrays.copyOf(payload, payload.length + random.nextInt(64));
      Arrays.fill(buffer, payload.length, buffer.length, (byte) 0x5a);
      checkSame(envelope, "collector-a", random, buffer, payload.length);
    }
  }

  /** Random payloads and headers, including empty payloads and collector ids, zero ports and times, large values. */
  @Test
  void randomHeadersAndPayloadsEncodeAsTheGeneratedMessage() {
    Random random = new Random(7);
    String[] ids = {"", "c", "collector-ü-東京", "x".repeat(200)};
    for (String id : ids) {
      FlowEnvelope envelope = new FlowEnvelope(id);
      for (int i = 0; i < 2_000; i++) {
        int length = random.nextInt(10) == 0 ? 0 : random.nextInt(i % 3 == 0 ? 100 : 66_000);
        byte[] buffer = new byte[length + random.nextInt(8)];
        random.nextBytes(buffer);
        checkSame(envelope, id, random, buffer, length);
      }
    }
  }

  private static void checkSame(FlowEnvelope envelope, String collectorId, Random random, byte[] buffer, int length) {
    byte[] exporter = address(random);
    byte[] udpSource = random.nextBoolean() ? exporter : address(random);
    int port = random.nextInt(4) == 0 ? 0 : random.nextInt(65_536);
    long receivedNs = pick(random);
    long updatedNs = pick(random);
    FlowProtocol hint = PROTOCOLS[random.nextInt(PROTOCOLS.length)];
    byte[] expected = FlowDatagram.newBuilder()
        .setExporterAddr(ByteString.copyFrom(exporter))
        .setExporterPort(port)
        .setReceivedNs(receivedNs)
        .setCollectorId(collectorId)
        .setProtocolHint(hint)
        .setPayload(ByteString.copyFrom(buffer, 0, length))
        .setUdpSourceAddr(ByteString.copyFrom(udpSource))
        .setSourceUpdatedNs(updatedNs)
        .build()
        .toByteArray();
    byte[] actual = envelope.encode(exporter, port, receivedNs, hint, buffer, length, udpSource, updatedNs);
    assertArrayEquals(expected, actual, () -> "length " + length + ", port " + port + ", hint " + hint + ", received " + receivedNs
        + ", updated " + updatedNs + ", collector " + collectorId);
    assertEquals(length, length == 0 ? 0 : parsedPayloadLength(actual));
  }

  private static int parsedPayloadLength(byte[] envelope) {
    try {
      return FlowDatagram.parseFrom(envelope).getPayload().size();
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] address(Random random) {
    byte[] a = new byte[16];
    random.nextBytes(a);
    if (random.nextBoolean()) { // IPv4 mapped, as most exporters are
      Arrays.fill(a, 0, 10, (byte) 0);
      a[10] = (byte) 0xff;
      a[11] = (byte) 0xff;
    }
    return a;
  }

  private static long pick(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> random.nextLong(); // negative too: uint64 takes the full range
      case 2 -> 1_790_000_000_000_000_000L + random.nextInt();
      default -> random.nextInt(1 << 20);
    };
  }
}
