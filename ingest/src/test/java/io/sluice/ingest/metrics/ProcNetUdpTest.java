package io.sluice.ingest.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.net.IpAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcNetUdpTest {
  /** Lines copied from this machine's /proc/net/udp and udp6 while a socket held 197 drops. */
  static final String UDP = """
         sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            
        622: 0100007F:C5EC 00000000:0000 07 00000000:00001B00 00:00000000 00000000     0        0 38722 2 00000000b6c6d85e 197       
       5044: 00000000:D732 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 38724 2 00000000b1d7c34b 0         
      """;
  static final String UDP6 = """
        sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
       6209: 00000000000000000000000000000000:DBBF 00000000000000000000000000000000:0000 07 00000000:000009C0 00:00000000 00000000     0        0 38723 2 00000000c75a8248 0
      """;

  @Test
  void parsesRealLines() {
    List<ProcNetUdp.Entry> v4 = ProcNetUdp.parse(UDP);
    assertEquals(2, v4.size());
    ProcNetUdp.Entry e = v4.get(0);
    assertArrayEquals(IpAddresses.parse("127.0.0.1"), e.localAddr());
    assertEquals(0xC5EC, e.localPort());
    assertEquals(0x1B00, e.rxQueue());
    assertEquals(38722, e.inode());
    assertEquals(197, e.drops());
    assertArrayEquals(IpAddresses.parse("0.0.0.0"), v4.get(1).localAddr());
    List<ProcNetUdp.Entry> v6 = ProcNetUdp.parse(UDP6);
    assertEquals(1, v6.size());
    assertArrayEquals(new byte[16], v6.get(0).localAddr());
    assertEquals(0xDBBF, v6.get(0).localPort());
    assertEquals(0x9C0, v6.get(0).rxQueue());
    assertEquals(0, v6.get(0).drops());
    assertNull(ProcNetUdp.parseLine("garbage"));
  }

  @Test
  void countsRealDropsOnARealSocket() throws Exception {
    try (DatagramChannel receiver = DatagramChannel.open(); DatagramChannel sender = DatagramChannel.open()) {
      receiver.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
      receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
      assertEquals(0, ProcNetUdp.totals(ProcNetUdp.read(), port).drops());
      assertEquals(1, ProcNetUdp.totals(ProcNetUdp.read(), port).sockets());
      int sent = 500;
      for (int i = 0; i < sent; i++) {
        sender.send(ByteBuffer.wrap(new byte[1000]), receiver.getLocalAddress());
      }
      ProcNetUdp.PortTotals totals = ProcNetUdp.totals(ProcNetUdp.read(), port);
      // Nothing reads the socket: what its 4 KiB buffer (the kernel doubles it, plus overhead) cannot hold is dropped.
      assertTrue(totals.drops() > 0 && totals.drops() < sent, totals.toString());
      assertTrue(totals.rxQueue() > 0, totals.toString());
      receiver.configureBlocking(false);
      int queued = 0;
      ByteBuffer buf = ByteBuffer.allocate(2048);
      while (receiver.receive(buf.clear()) != null) {
        queued++;
      }
      assertEquals(sent, queued + totals.drops(), "every datagram was either queued or counted as dropped");
    }
  }
}
