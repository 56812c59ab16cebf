package io.sluice.jobs.flow;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.sluice.store.sink.RowBinary;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A flow datagram inside the Flink job: the {@code FlowDatagram} envelope's fields, read straight from the Kafka
 * record's bytes ({@link #fromEnvelope}), crossing the keyBy with {@link RawDatagramSerializer} (not Kryo, not
 * Flink's reflective POJO serializer).
 */
@TypeInfo(RawDatagramSerializer.Factory.class)
public final class RawDatagram {
  public byte[] exporterAddr;
  public int exporterPort;
  public long receivedNs;
  public String collectorId;
  public byte[] payload;
  /** 16 bytes, or empty when the collector did not say. */
  public byte[] udpSourceAddr;
  /** The version of the registration the collector accepted the datagram under; 0: none. */
  public long sourceUpdatedNs;

  public RawDatagram() {}

  /** The key: one exporter's datagrams stay in order in one subtask. */
  public static String key(RawDatagram d) {
    return java.util.HexFormat.of().formatHex(d.exporterAddr);
  }

  // FlowDatagram's field numbers (ingest/src/main/proto/sluice.proto); protocol_hint (5) is not used by the job.
  private static final int EXPORTER_ADDR = 1;
  private static final int EXPORTER_PORT = 2;
  private static final int RECEIVED_NS = 3;
  private static final int COLLECTOR_ID = 4;
  private static final int PAYLOAD = 6;
  private static final int UDP_SOURCE_ADDR = 7;
  private static final int SOURCE_UPDATED_NS = 8;

  /**
   * The datagram in a {@code FlowDatagram} envelope, read field by field from its bytes (no message object, the
   * payload copied once); null when the bytes are not an envelope protobuf would parse, or the envelope is not one a
   * collector writes (an exporter address of other than 16 bytes, no payload, a receive time no DateTime holds).
   * Accepts exactly what {@code FlowDatagram.parseFrom} accepts: a field of the wrong wire type, like an unknown
   * field, is skipped; the last occurrence of a field wins.
   */
  static RawDatagram fromEnvelope(byte[] value) {
    RawDatagram d = new RawDatagram();
    d.exporterAddr = EMPTY;
    d.collectorId = "";
    d.payload = EMPTY;
    d.udpSourceAddr = EMPTY;
    try {
      CodedInputStream in = CodedInputStream.newInstance(value == null ? EMPTY : value);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        int wire = WireFormat.getTagWireType(tag);
        int field = WireFormat.getTagFieldNumber(tag);
        boolean bytes = wire == WireFormat.WIRETYPE_LENGTH_DELIMITED;
        boolean varint = wire == WireFormat.WIRETYPE_VARINT;
        if (field == EXPORTER_ADDR && bytes) {
          d.exporterAddr = in.readByteArray();
        } else if (field == EXPORTER_PORT && varint) {
          d.exporterPort = in.readUInt32();
        } else if (field == RECEIVED_NS && varint) {
          d.receivedNs = in.readUInt64();
        } else if (field == COLLECTOR_ID && bytes) {
          d.collectorId = in.readStringRequireUtf8();
        } else if (field == PAYLOAD && bytes) {
          d.payload = in.readByteArray();
        } else if (field == UDP_SOURCE_ADDR && bytes) {
          d.udpSourceAddr = in.readByteArray();
        } else if (field == SOURCE_UPDATED_NS && varint) {
          d.sourceUpdatedNs = in.readUInt64();
        } else if (!in.skipField(tag)) {
          return null; // an end-group tag outside a group
        }
      }
    } catch (IOException malformed) {
      return null;
    }
    // A receive time outside what a DateTime column holds cannot come from a collector's clock.
    if (d.exporterAddr.length != 16 || d.payload.length == 0 || d.receivedNs <= 0
        || d.receivedNs / 1_000_000_000L > RowBinary.MAX_DATE_TIME) {
      return null;
    }
    return d;
  }

  private static final byte[] EMPTY = new byte[0];
}
