package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.sluice.wire.SocketEvent;
import io.sluice.wire.SocketEventKind;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A socket state change from sluice.sockets.raw gives the process join the socket's owner, pod included. */
class SocketRecordsTest {
  static final byte[] CLIENT = JoinConversationsTest.mapped(10, 0, 0, 2);
  static final byte[] SERVER = JoinConversationsTest.mapped(10, 0, 0, 1);

  @Test
  void aStateChangeCarriesTheProcessContainerAndPod() {
    SocketEvent e = SocketEvent.newBuilder().setEventNs(5).setNode("n1").setKind(SocketEventKind.STATE_CHANGE)
        .setProtocol(6).setSrcAddr(ByteString.copyFrom(CLIENT)).setSrcPort(40000)
        .setDstAddr(ByteString.copyFrom(SERVER)).setDstPort(80).setNewState(2).setPid(4242).setPidTrusted(true)
        .setComm("curl").setContainer("c0ffee").setPod("web-7f9c").setPodNamespace("shop").setCgroupId(77).build();
    List<KeyedSocket> out = new ArrayList<>();
    new SocketRecords().deserialize(new ConsumerRecord<>("sluice.sockets.raw", 0, 0, null, e.toByteArray()),
        new Collector<>() {
          @Override
          public void collect(KeyedSocket s) {
            out.add(s);
          }

          @Override
          public void close() {}
        });
    assertEquals(1, out.size());
    KeyedSocket s = out.get(0);
    assertEquals(PacketKeys.conversation("n1", CLIENT, 40000, SERVER, 80), s.key);
    assertEquals(List.of(4242, "curl", "c0ffee", "web-7f9c", "shop", 77L),
        List.of(s.pid, s.comm, s.container, s.pod, s.podNamespace, s.cgroupId));
  }
}
