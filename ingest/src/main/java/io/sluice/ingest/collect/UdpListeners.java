package io.sluice.ingest.collect;

import io.sluice.net.IpAddresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The collector's sockets: per listener several SO_REUSEPORT UDP sockets with a large receive buffer, and one
 * receive thread per socket handing each datagram to a {@link Handler}.
 */
final class UdpListeners implements AutoCloseable {
  /** What a receive thread does with a datagram; runs on that thread. */
  interface Handler {
    /** The datagram is {@code payload[0, length)}; the array is the thread's own and reused for the next one. */
    void datagram(ListenerKind kind, InetSocketAddress from, byte[] payload, int length);

    /** A socket receive error, or a datagram the handler failed on ({@code failure} null for the former). */
    void failed(InetSocketAddress from, RuntimeException failure);
  }

  /**
   * One listener's sockets, all bound to the same address and port.
   *
   * @param bindAddr16 the bound address, 16 bytes (IPv4 mapped)
   * @param receiveBuffer SO_RCVBUF the kernel granted (as Linux reports it, twice the usable size)
   */
  record Listener(ListenerKind kind, int port, byte[] bindAddr16, List<DatagramChannel> channels, int receiveBuffer) {}

  private final Map<ListenerKind, Listener> listeners;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  private UdpListeners(Map<ListenerKind, Listener> listeners) {
    this.listeners = listeners;
  }

  /** Binds every configured listener; throws with the port and a hint when one cannot be bound. */
  static UdpListeners open(CollectorConfig config) {
    Map<ListenerKind, Listener> open = new EnumMap<>(ListenerKind.class);
    for (Map.Entry<ListenerKind, Integer> e : config.ports.entrySet()) {
      ListenerKind kind = e.getKey();
      InetAddress bind;
      try {
        bind = InetAddress.getByAddress(addressBytes(config.bindAddress));
      } catch (IOException ex) {
        throw new CollectorException("invalid bind address " + config.bindAddress, ex);
      }
      List<DatagramChannel> channels = new ArrayList<>();
      int port = e.getValue();
      int rcvbuf = 0;
      try {
        for (int i = 0; i < config.socketsPerPort; i++) {
          DatagramChannel ch = DatagramChannel.open(bind instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
          channels.add(ch);
          ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
          ch.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferBytes);
          ch.bind(new InetSocketAddress(bind, port));
          port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
          rcvbuf = ch.getOption(StandardSocketOptions.SO_RCVBUF);
        }
      } catch (IOException ex) {
        channels.forEach(UdpListeners::closeQuietly);
        open.values().forEach(l -> l.channels().forEach(UdpListeners::closeQuietly));
        throw new CollectorException("cannot listen for " + kind.label() + " on UDP " + config.bindAddress + ":" + e.getValue()
            + ": " + ex.getMessage() + " (choose another port with --" + kind.label() + "-port)", ex);
      }
      // Linux reports twice the usable size it granted.
      if (rcvbuf / 2 < config.receiveBufferBytes) {
        config.log.accept("warning: " + kind.label() + " sockets got a " + (rcvbuf / 2 >> 10) + " KiB receive buffer, not the "
            + (config.receiveBufferBytes >> 10) + " KiB asked for; raise the cap with `sysctl -w net.core.rmem_max="
            + config.receiveBufferBytes + "` to absorb bursts");
      }
      open.put(kind, new Listener(kind, port, IpAddresses.to16(bind.getAddress()), List.copyOf(channels), rcvbuf));
    }
    return new UdpListeners(open);
  }

  private static byte[] addressBytes(String text) {
    byte[] a16 = IpAddresses.parse(text);
    return IpAddresses.isV4Mapped(a16) && text.indexOf(':') < 0 ? new byte[] {a16[12], a16[13], a16[14], a16[15]} : a16;
  }

  /** Starts one receive thread per socket. */
  void start(Handler handler) {
    for (Listener l : listeners.values()) {
      for (int i = 0; i < l.channels().size(); i++) {
        DatagramChannel ch = l.channels().get(i);
        Thread t = new Thread(() -> receiveLoop(l.kind(), ch, handler), "sluice-collect-" + l.kind().label() + "-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }
  }

  Collection<Listener> all() {
    return listeners.values();
  }

  /** The bound UDP port of a listener (useful with port 0), or -1 when it is off. */
  int port(ListenerKind kind) {
    Listener l = listeners.get(kind);
    return l == null ? -1 : l.port();
  }

  private void receiveLoop(ListenerKind kind, DatagramChannel ch, Handler handler) {
    ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
    byte[] payload = new byte[65_536];
    while (!closed) {
      InetSocketAddress from;
      try {
        buf.clear();
        from = (InetSocketAddress) ch.receive(buf);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        handler.failed(null, null);
        continue;
      }
      buf.flip();
      int length = buf.remaining();
      buf.get(payload, 0, length);
      try {
        handler.datagram(kind, from, payload, length);
      } catch (RuntimeException e) {
        handler.failed(from, e);
      }
    }
  }

  /** Whether any receive thread is still running. */
  boolean receiving() {
    return threads.stream().anyMatch(Thread::isAlive);
  }

  /** Closes the sockets and waits (up to 5 s each) for the receive threads to end. */
  @Override
  public void close() {
    closed = true;
    listeners.values().forEach(l -> l.channels().forEach(UdpListeners::closeQuietly));
    for (Thread t : threads) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void closeQuietly(DatagramChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
