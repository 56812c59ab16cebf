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

  /** A currently free loopback port, for tests. */
  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new StackException("no free port: " + e.getMessage(), e);
    }
  }
}
