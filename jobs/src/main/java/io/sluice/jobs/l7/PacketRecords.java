package io.sluice.jobs.l7;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.wire.CapturedPacket;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads {@code CapturedPacket}s from sluice.packets.raw; a record that is not one is counted and skipped. */
final class PacketRecords implements KafkaRecordDeserializationSchema<CapturedFrame> {
  private transient Counter malformed;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    malformed = context.getMetricGroup().counter("sluiceMalformedPackets");
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<CapturedFrame> out) {
    try {
      CapturedPacket p = CapturedPacket.parseFrom(record.value() == null ? new byte[0] : record.value());
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
    } catch (InvalidProtocolBufferException e) {
      malformed.inc();
    }
  }

  @Override
  public TypeInformation<CapturedFrame> getProducedType() {
    return TypeInformation.of(CapturedFrame.class);
  }
}
