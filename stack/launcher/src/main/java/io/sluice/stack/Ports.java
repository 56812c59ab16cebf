package io.sluice.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback port checks. */
public final class Ports {
  private Ports() {}

  public static boolean isListening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Fails with a message naming the option that moves the service elsewhere. */
  public static void requireFree(int port, String service, String option) {
    if (isListening(port)) {
      throw new StackException(service + " cannot start: port " + port + " on 127.0.0.1 is already in use by another"
          + " process. Stop that process or choose another port with " + option + ".");
    }
  }

  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A currently free loopback port for tests, below the kernel's ephemeral range: a port the kernel hands out
   * (bind to 0) can be taken as the local port of an outgoing connection before the service binds it, which made
   * ClickHouse fail with "Address already in use" in CI. Never the same port twice in one JVM.
   */
  public static int free() {
    int low = ephemeralLow();
    java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = random.nextInt(10_000, low);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      } catch (IOException e) {
        continue;
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new StackException("no free loopback port below " + low + " after 200 tries");
  }

  private static int ephemeralLow() {
    try {
      String range = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
      int low = Integer.parseInt(range.trim().split("\\s+")[0]);
      return low > 12_000 ? low : 32_768;
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
