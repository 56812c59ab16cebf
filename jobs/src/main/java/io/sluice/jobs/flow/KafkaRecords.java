package io.sluice.jobs.flow;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.wire.FlowDatagram;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Kafka record readers for the flow job. A record that is not what it claims is counted and skipped. */
final class KafkaRecords {
  private KafkaRecords() {}

  static final class Datagrams implements KafkaRecordDeserializationSchema<RawDatagram> {
    private transient Counter malformed;

    @Override
    public void open(org.apache.flink.api.common.serialization.DeserializationSchema.InitializationContext context) {
      malformed = context.getMetricGroup().counter("sluiceMalformedEnvelopes");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawDatagram> out) {
      try {
        FlowDatagram envelope = FlowDatagram.parseFrom(record.value() == null ? new byte[0] : record.value());
        // A receive time outside what a DateTime column holds cannot come from a collector's clock.
        long receivedSeconds = envelope.getReceivedNs() / 1_000_000_000L;
        if (envelope.getExporterAddr().size() != 16 || envelope.getPayload().isEmpty()
            || envelope.getReceivedNs() <= 0 || receivedSeconds > io.sluice.store.sink.RowBinary.MAX_DATE_TIME) {
          malformed.inc();
          return;
        }
        RawDatagram d = new RawDatagram();
        d.exporterAddr = envelope.getExporterAddr().toByteArray();
        d.exporterPort = envelope.getExporterPort();
        d.receivedNs = envelope.getReceivedNs();
        d.collectorId = envelope.getCollectorId();
        d.sourceUpdatedNs = envelope.getSourceUpdatedNs();
        d.udpSourceAddr = envelope.getUdpSourceAddr().toByteArray();
        d.payload = envelope.getPayload().toByteArray();
        out.collect(d);
      } catch (InvalidProtocolBufferException e) {
        malformed.inc();
      }
    }

    @Override
    public TypeInformation<RawDatagram> getProducedType() {
      return TypeInformation.of(RawDatagram.class);
    }
  }

  static final class Sources implements KafkaRecordDeserializationSchema<SourceUpdate> {
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceUpdate> out) {
      if (record.key() != null) {
        out.collect(new SourceUpdate(new String(record.key(), StandardCharsets.UTF_8), record.value()));
      }
    }

    @Override
    public TypeInformation<SourceUpdate> getProducedType() {
      return TypeInformation.of(SourceUpdate.class);
    }
  }
}
