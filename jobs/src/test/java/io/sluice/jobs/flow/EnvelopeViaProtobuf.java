package io.sluice.jobs.flow;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.store.sink.RowBinary;
import io.sluice.wire.FlowDatagram;

/** How FlowJob read its envelope before {@link RawDatagram#fromEnvelope}: the reference of RawDatagramTest and FlowPathBench. */
final class EnvelopeViaProtobuf {
  private EnvelopeViaProtobuf() {}

  /** Protobuf's message, then a copy of each field and the job's checks; null where the job counted it malformed. */
  static RawDatagram read(byte[] value) {
    try {
      FlowDatagram e = FlowDatagram.parseFrom(value);
      if (e.getExporterAddr().size() != 16 || e.getPayload().isEmpty() || e.getReceivedNs() <= 0
          || e.getReceivedNs() / 1_000_000_000L > RowBinary.MAX_DATE_TIME) {
        return null;
      }
      RawDatagram d = new RawDatagram();
      d.exporterAddr = e.getExporterAddr().toByteArray();
      d.exporterPort = e.getExporterPort();
      d.receivedNs = e.getReceivedNs();
      d.collectorId = e.getCollectorId();
      d.sourceUpdatedNs = e.getSourceUpdatedNs();
      d.udpSourceAddr = e.getUdpSourceAddr().toByteArray();
      d.payload = e.getPayload().toByteArray();
      return d;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
