package io.sluice.ingest.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The receive threads on a real loopback socket: every datagram of bursts handed over whole, and stopped by close. */
class UdpListenersTest {
  @Test
  void everyDatagramOfABurstIsHandedOverWholeAndCloseStopsTheThreads() throws Exception {
    CollectorConfig config = CollectorConfig.defaults().bind("127.0.0.1").port(ListenerKind.SFLOW, null)
        .port(ListenerKind.NETFLOW, null).port(ListenerKind.IPFIX, 0).sockets(1).receiveBuffer(4 << 20)
        .log(line -> { });
    List<byte[]> got = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    UdpListeners listeners = UdpListeners.open(config);
    try {
      listeners.start(new UdpListeners.Handler() {
        @Override
        public void datagram(ListenerKind kind, InetSocketAddress from, byte[] payload, int length) {
          synchronized (got) {
            got.add(Arrays.copyOf(payload, length));
          }
        }

        @Override
        public void failed(InetSocketAddress from, RuntimeException failure) {
          synchronized (failures) {
            failures.add(from + ": " + failure);
          }
        }
      });
      int port = listeners.port(ListenerKind.IPFIX);
      int n = 300;
      try (DatagramChannel sender = DatagramChannel.open()) {
        InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        for (int round = 0; round < 3; round++) {
          for (int i = round * n / 3; i < (round + 1) * n / 3; i++) {
            sender.send(ByteBuffer.wrap(datagram(i)), to);
          }
          // a pause between bursts: the threads go back to waiting on the socket, and must wake for the next one
          long until = System.nanoTime() + 50_000_000L;
          while (System.nanoTime() < until) {
            Thread.onSpinWait();
          }
        }
      }
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (size(got) < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      synchronized (got) {
        assertEquals(n, got.size(), "datagrams handed over");
        for (int i = 0; i < n; i++) {
          assertTrue(Arrays.equals(datagram(i), got.get(i)), "datagram " + i + " whole and in order");
        }
      }
      assertTrue(failures.isEmpty(), failures::toString);
      assertTrue(listeners.receiving());
    } finally {
      listeners.close();
    }
    assertFalse(listeners.receiving(), "close() ends the receive threads, idle on their sockets");
  }

  private static int size(List<byte[]> list) {
    synchronized (list) {
      return list.size();
    }
  }

  /** Datagram i: 20 to 1,419 bytes, each byte derived from i and its position. */
  private static byte[] datagram(int i) {
    byte[] b = new byte[20 + (i * 37) % 1_400];
    for (int j = 0; j < b.length; j++) {
      b[j] = (byte) (i * 31 + j);
    }
    return b;
  }
}
