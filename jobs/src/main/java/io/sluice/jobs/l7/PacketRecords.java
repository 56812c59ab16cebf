package io.sluice.jobs.l7;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Internal;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.sluice.ingest.PacketBatches;
import io.sluice.wire.CapturedPacket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads sluice.packets.raw: a record is one {@code CapturedPacket}, or a {@code CapturedPacketBatch} (marked by its
 * header, {@link PacketBatches}) whose packets come out in order. What does not parse is counted and skipped: a
 * record that is not a message (none of its packets come out), or a packet without data (the rest of its batch
 * still counts).
 *
 * <p>Every captured packet passes here, so the four fields the job uses are read straight from the record's bytes
 * (the others skipped, as protobuf skips unknown fields) instead of building a {@code CapturedPacket} with all its
 * fields per packet: the frame is not copied (it stays in the record's bytes, {@link CapturedFrame}), and a node name
 * equal to the previous packet's is not decoded again.
 */
final class PacketRecords implements KafkaRecordDeserializationSchema<CapturedFrame> {
  private static final int CAPTURED_NS = tag(CapturedPacket.CAPTURED_NS_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int NODE = tag(CapturedPacket.NODE_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  private static final int LINK_TYPE = tag(CapturedPacket.LINK_TYPE_FIELD_NUMBER, WireFormat.WIRETYPE_VARINT);
  private static final int DATA = tag(CapturedPacket.DATA_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);

  private transient Counter malformed;
  private transient List<CapturedFrame> frames;
  /** The current record's packets without data. */
  private transient int empty;
  private transient byte[] lastNodeBytes;
  private transient String lastNode;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    malformed = context.getMetricGroup().counter("sluiceMalformedPackets");
    frames = new ArrayList<>();
    lastNodeBytes = new byte[0];
    lastNode = "";
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CapturedFrame> out) {
    byte[] value = record.value() == null ? new byte[0] : record.value();
    frames.clear();
    empty = 0;
    try {
      CodedInputStream in = CodedInputStream.newInstance(value);
      if (PacketBatches.isBatch(record.headers())) {
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
          if (tag == PacketBatches.PACKETS_TAG) {
            int limit = in.pushLimit(in.readRawVarint32());
            read(in, value);
            in.popLimit(limit);
          } else {
            in.skipField(tag);
          }
        }
      } else {
        read(in, value);
      }
    } catch (IOException e) { // not a message: counted once, none of its packets come out
      malformed.inc();
      return;
    }
    malformed.inc(empty);
    for (CapturedFrame f : frames) {
      out.collect(f);
    }
  }

  /** One CapturedPacket up to the stream's limit; a packet without data is counted, not kept. */
  private void read(CodedInputStream in, byte[] value) throws IOException {
    CapturedFrame f = new CapturedFrame();
    f.node = "";
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == CAPTURED_NS) {
        f.capturedNs = in.readUInt64();
      } else if (tag == NODE) {
        f.node = node(in, value);
      } else if (tag == LINK_TYPE) {
        f.linkType = in.readEnum();
      } else if (tag == DATA) {
        int length = in.readRawVarint32();
        int at = in.getTotalBytesRead();
        if (length < 0 || length > value.length - at) {
          throw new InvalidProtocolBufferException("truncated data");
        }
        in.skipRawBytes(length);
        f.data = value; // the frame stays in the record's bytes: value[at, at + length)
        f.offset = at;
        f.length = length;
      } else {
        in.skipField(tag);
      }
    }
    if (f.data == null || f.length == 0) {
      empty++;
      return;
    }
    frames.add(f);
  }

  /** The node name at the stream's position; the previous packet's String when the bytes are the same. */
  private String node(CodedInputStream in, byte[] value) throws IOException {
    int length = in.readRawVarint32();
    int at = in.getTotalBytesRead();
    if (length < 0 || length > value.length - at) {
      throw new InvalidProtocolBufferException("truncated node");
    }
    if (!Arrays.equals(value, at, at + length, lastNodeBytes, 0, lastNodeBytes.length)) {
      byte[] bytes = Arrays.copyOfRange(value, at, at + length);
      if (!Internal.isValidUtf8(bytes)) {
        throw new InvalidProtocolBufferException("node is not UTF-8"); // as the generated parser refuses it
      }
      lastNode = new String(bytes, StandardCharsets.UTF_8);
      lastNodeBytes = bytes;
    }
    in.skipRawBytes(length);
    return lastNode;
  }

  private static int tag(int field, int wireType) {
    return field << 3 | wireType;
  }

  @Override
  public TypeInformation<CapturedFrame> getProducedType() {
    return TypeInformation.of(CapturedFrame.class);
  }
}
