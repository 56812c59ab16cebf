package io.sluice.jobs.conn;

import io.sluice.conn.SocketSample;
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
 * sluice.sockets.raw → {@link SocketSample}: TCP state changes and retransmissions, UDP sender announcements. A
 * record that is not a {@code SocketEvent} with 16-byte addresses is counted ({@code sluiceMalformedSocketEvents})
 * and skipped.
 */
final class SocketSamples implements KafkaRecordDeserializationSchema<SocketSample> {
  private transient Counter malformed;

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    malformed = context.getMetricGroup().counter("sluiceMalformedSocketEvents");
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SocketSample> out) {
    SocketSample s = parse(record.value());
    if (s == null) {
      malformed.inc();
    } else {
      out.collect(s);
    }
  }

  /** The sample of a {@code SocketEvent}'s bytes, or null when they are not one. */
  static SocketSample parse(byte[] value) {
    SocketEvent e = SocketEvents.parse(value);
    if (e == null || e.getKind() == SocketEventKind.SOCKET_EVENT_KIND_UNSPECIFIED) {
      return null;
    }
    SocketSample s = new SocketSample();
    s.node = e.getNode();
    s.eventNs = e.getEventNs();
    s.kind = e.getKind() == SocketEventKind.RETRANSMIT ? SocketSample.RETRANSMIT : SocketSample.STATE_CHANGE;
    s.protocol = e.getProtocol();
    s.oldState = e.getOldState();
    s.newState = e.getNewState();
    s.skErr = e.getSkErr();
    s.pidTrusted = e.getPidTrusted();
    s.pid = e.getPid();
    s.comm = e.getComm();
    s.cgroupId = e.getCgroupId();
    s.container = e.getContainer();
    s.pod = e.getPod();
    s.podNamespace = e.getPodNamespace();
    s.netns = e.getNetns();
    s.localAddr = e.getSrcAddr().toByteArray();
    s.localPort = e.getSrcPort();
    s.remoteAddr = e.getDstAddr().toByteArray();
    s.remotePort = e.getDstPort();
    s.srttUs = e.getSrttUs();
    s.bytesOut = e.getBytesOut();
    s.bytesIn = e.getBytesIn();
    s.segsOut = e.getSegsOut() & 0xffffffffL;
    s.segsIn = e.getSegsIn() & 0xffffffffL;
    s.retransSegs = e.getRetransSegs() & 0xffffffffL;
    s.cookie = e.getSocketCookie();
    return s;
  }

  @Override
  public TypeInformation<SocketSample> getProducedType() {
    return TypeInformation.of(SocketSample.class);
  }
}
