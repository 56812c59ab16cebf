package io.sluice.decode.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.ingest.collect.FlowSniff;
import io.sluice.ingest.collect.ListenerKind;
import io.sluice.ingest.collect.UdpPayloads;
import io.sluice.wire.FlowProtocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The three names of a flow protocol agree: the decoder's FlowType, the wire's FlowProtocol (the collector's hint) and
 * the listener it arrives on. Over every real flow capture, what the collector forwards from a listener is what the
 * decoder recognises.
 */
class FlowTypeTest {
  @Test
  void everyDecodableWireProtocolHasOneFlowType() {
    for (FlowType t : FlowType.values()) {
      assertEquals(t, FlowType.of(t.wire()));
    }
    for (FlowProtocol p : FlowProtocol.values()) {
      boolean decodable = p != FlowProtocol.FLOW_PROTOCOL_UNKNOWN && p != FlowProtocol.UNRECOGNIZED;
      assertEquals(decodable, FlowType.of(p) != null, p.name());
    }
    assertNull(FlowType.of(null));
  }

  @Test
  void collectorAndDecoderAgreeOnRealCaptures() throws IOException {
    List<Path> captures;
    try (Stream<Path> files = Files.walk(UdpPayloads.fixtures().resolve("flows"))) {
      captures = files.filter(f -> f.toString().endsWith(".pcap")).sorted().toList();
    }
    int datagrams = 0;
    for (Path capture : captures) {
      for (UdpPayloads.Datagram d : UdpPayloads.read(capture)) {
        byte[] p = d.payload();
        FlowType decoded = FlowDecoder.recognise(p, 0, p.length);
        FlowProtocol fromSflowPort = FlowSniff.protocol(ListenerKind.SFLOW, p, p.length);
        FlowProtocol fromNetflowPort = FlowSniff.protocol(ListenerKind.NETFLOW, p, p.length);
        FlowProtocol forwarded = fromSflowPort != null ? fromSflowPort : fromNetflowPort;
        String what = capture.getFileName() + " datagram " + datagrams;
        if (decoded != null) {
          assertEquals(decoded.wire(), forwarded, what);
          assertEquals(decoded == FlowType.SFLOW5, fromSflowPort != null, what);
        } else {
          assertTrue(forwarded == null || forwarded == FlowProtocol.FLOW_PROTOCOL_UNKNOWN, what + ": " + forwarded);
        }
        datagrams++;
      }
    }
    assertTrue(datagrams > 100, datagrams + " datagrams");
    assertNotNull(FlowType.of(FlowSniff.protocol(ListenerKind.IPFIX, new byte[] {0, 10, 0, 0}, 4)));
  }
}
