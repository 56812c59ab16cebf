package io.sluice.jobs.l7;

import io.sluice.l7.L7Process;
import io.sluice.l7.SocketSighting;

/**
 * A {@code SocketEvent} from sluice.sockets.raw as a Flink POJO, under the key of its conversation (node and
 * unordered address/port pair, as {@link KeyedPacket}): what the process join needs of it.
 */
public final class KeyedSocket {
  public String key;
  public long eventNs;
  public byte[] localAddr;
  public int localPort;
  public int protocol;
  public boolean trusted;
  public boolean closed;
  public int pid;
  public String comm;
  public String container;
  public String pod = "";
  public String podNamespace = "";
  public long cgroupId;

  public KeyedSocket() {}

  public static String key(KeyedSocket s) {
    return s.key;
  }

  SocketSighting sighting() {
    return new SocketSighting(eventNs, localAddr, localPort, protocol, trusted, closed,
        new L7Process(pid, comm, container, pod, podNamespace, cgroupId));
  }
}
