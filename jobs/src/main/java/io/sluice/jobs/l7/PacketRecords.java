package io.sluice.jobs.l7;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.ingest.PacketBatches;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads sluice.packets.raw: a record is one {@code CapturedPacket}, or a {@code CapturedPacketBatch} (marked by its
 * header, {@link PacketBatches}) whose packets come out in order. What does not parse is counted and skipped: a
 * record that is not a message, or a packet without data (the rest of its batch still counts).
 */
final class PacketRecords implements KafkaRecordDeserializationSchema<CapturedFrame> {
  private transient Counter malformed;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    malformed = context.getMetricGroup().counter("sluiceMalformedPackets");
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CapturedFrame> out) {
    byte[] value = record.value() == null ? new byte[0] : record.value();
    try {
      if (PacketBatches.isBatch(record.headers())) {
        for (CapturedPacket p : CapturedPacketBatch.parseFrom(value).getPacketsList()) {
          collect(p, out);
        }
      } else {
        collect(CapturedPacket.parseFrom(value), out);
      }
    } catch (InvalidProtocolBufferException e) {
      malformed.inc();
    }
  }

  private void collect(CapturedPacket p, Collector<CapturedFrame> out) {
    if (p.getData().isEmpty()) {
      malformed.inc();
      return;
    }
    CapturedFrame f = new CapturedFrame();
    f.capturedNs = p.getCapturedNs();
    f.node = p.getNode();
    f.linkType = p.getLinkTypeValue();
    f.data = p.getData().toByteArray();
    out.collect(f);
  }

  @Override
  public TypeInformation<CapturedFrame> getProducedType() {
    return TypeInformation.of(CapturedFrame.class);
  }
}
