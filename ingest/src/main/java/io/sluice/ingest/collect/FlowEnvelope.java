package io.sluice.ingest.collect;

import com.google.protobuf.CodedOutputStream;
import io.sluice.wire.FlowDatagram;
import io.sluice.wire.FlowProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link FlowDatagram}'s bytes straight from the received payload: one exact-size array per datagram,
 * without the builder, the message and the ByteString copies. The bytes are those of
 * {@code FlowDatagram.newBuilder()...build().toByteArray()} (fields in number order, proto3 defaults left out);
 * FlowEnvelopeTest holds the two side by side. One instance per collector (its collector_id is encoded once).
 */
final class FlowEnvelope {
  private final byte[] collectorId;

  FlowEnvelope(String collectorId) {
    this.collectorId = collectorId.getBytes(StandardCharsets.UTF_8);
  }

  /** The envelope of {@code payload[0, length)}; the addresses are 16 bytes each. */
  byte[] encode(byte[] exporterAddr, int exporterPort, long receivedNs, FlowProtocol protocolHint, byte[] payload, int length,
      byte[] udpSourceAddr, long sourceUpdatedNs) {
    int size = bytesSize(FlowDatagram.EXPORTER_ADDR_FIELD_NUMBER, exporterAddr.length)
        + (exporterPort == 0 ? 0 : CodedOutputStream.computeUInt32Size(FlowDatagram.EXPORTER_PORT_FIELD_NUMBER, exporterPort))
        + (receivedNs == 0 ? 0 : CodedOutputStream.computeUInt64Size(FlowDatagram.RECEIVED_NS_FIELD_NUMBER, receivedNs))
        + bytesSize(FlowDatagram.COLLECTOR_ID_FIELD_NUMBER, collectorId.length)
        + (protocolHint.getNumber() == 0 ? 0 : CodedOutputStream.computeEnumSize(FlowDatagram.PROTOCOL_HINT_FIELD_NUMBER, protocolHint.getNumber()))
        + bytesSize(FlowDatagram.PAYLOAD_FIELD_NUMBER, length)
        + bytesSize(FlowDatagram.UDP_SOURCE_ADDR_FIELD_NUMBER, udpSourceAddr.length)
        + (sourceUpdatedNs == 0 ? 0 : CodedOutputStream.computeUInt64Size(FlowDatagram.SOURCE_UPDATED_NS_FIELD_NUMBER, sourceUpdatedNs));
    byte[] out = new byte[size];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    try {
      writeBytes(o, FlowDatagram.EXPORTER_ADDR_FIELD_NUMBER, exporterAddr, exporterAddr.length);
      if (exporterPort != 0) {
        o.writeUInt32(FlowDatagram.EXPORTER_PORT_FIELD_NUMBER, exporterPort);
      }
      if (receivedNs != 0) {
        o.writeUInt64(FlowDatagram.RECEIVED_NS_FIELD_NUMBER, receivedNs);
      }
      writeBytes(o, FlowDatagram.COLLECTOR_ID_FIELD_NUMBER, collectorId, collectorId.length);
      if (protocolHint.getNumber() != 0) {
        o.writeEnum(FlowDatagram.PROTOCOL_HINT_FIELD_NUMBER, protocolHint.getNumber());
      }
      writeBytes(o, FlowDatagram.PAYLOAD_FIELD_NUMBER, payload, length);
      writeBytes(o, FlowDatagram.UDP_SOURCE_ADDR_FIELD_NUMBER, udpSourceAddr, udpSourceAddr.length);
      if (sourceUpdatedNs != 0) {
        o.writeUInt64(FlowDatagram.SOURCE_UPDATED_NS_FIELD_NUMBER, sourceUpdatedNs);
      }
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("envelope size miscounted", e); // a bug here, never the input's fault
    }
    return out;
  }

  /** proto3 leaves an empty bytes or string field out. */
  private static int bytesSize(int field, int length) {
    return length == 0 ? 0 : CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
  }

  private static void writeBytes(CodedOutputStream o, int field, byte[] b, int length) throws IOException {
    if (length != 0) {
      o.writeByteArray(field, b, 0, length);
    }
  }
}
