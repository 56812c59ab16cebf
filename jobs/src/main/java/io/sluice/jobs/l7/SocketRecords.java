package io.sluice.jobs.l7;

import io.sluice.jobs.SocketEvents;
import io.sluice.wire.SocketEvent;
import io.sluice.wire.SocketEventKind;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the TCP and UDP state changes of sluice.sockets.raw (retransmissions say nothing about who owns a socket);
 * a record that is not a {@code SocketEvent} with 16-byte addresses is counted and skipped.
 */
final class SocketRecords implements KafkaRecordDeserializationSchema<KeyedSocket> {
  private static final int TCP = 6;
  private static final int UDP = 17;
  private static final int TCP_CLOSE = 7;
  private transient Counter malformed;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    malformed = context.getMetricGroup().counter("sluiceMalformedSocketEvents");
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<KeyedSocket> out) {
    SocketEvent e = SocketEvents.parse(record.value());
    if (e == null) {
      malformed.inc();
      return;
    }
    if (e.getKind() != SocketEventKind.STATE_CHANGE || (e.getProtocol() != TCP && e.getProtocol() != UDP)) {
      return;
    }
    KeyedSocket s = new KeyedSocket();
    s.localAddr = e.getSrcAddr().toByteArray();
    s.localPort = e.getSrcPort();
    s.key = PacketKeys.conversation(e.getNode(), s.localAddr, s.localPort, e.getDstAddr().toByteArray(), e.getDstPort());
    s.eventNs = e.getEventNs();
    s.protocol = e.getProtocol();
    s.trusted = e.getPidTrusted();
    s.closed = e.getNewState() == TCP_CLOSE;
    s.pid = s.trusted ? e.getPid() : 0;
    s.comm = s.trusted ? e.getComm() : "";
    s.container = e.getContainer();
    s.pod = e.getPod();
    s.podNamespace = e.getPodNamespace();
    s.cgroupId = e.getCgroupId();
    out.collect(s);
  }

  @Override
  public TypeInformation<KeyedSocket> getProducedType() {
    return TypeInformation.of(KeyedSocket.class);
  }
}
