package io.sluice.jobs.flow;

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
      RawDatagram d = RawDatagram.fromEnvelope(record.value());
      if (d == null) {
        malformed.inc();
      } else {
        out.collect(d);
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
