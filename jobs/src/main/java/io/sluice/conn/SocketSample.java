package io.sluice.conn;

/**
 * One event of sluice.sockets.raw as the connection tracker needs it (a Flink POJO): a TCP state change or
 * retransmission with the socket's counters, or a UDP sender announcement with what it sent since the last one.
 */
public final class SocketSample {
  public static final int STATE_CHANGE = 1;
  public static final int RETRANSMIT = 2;

  public String node;
  public long eventNs;
  public int kind;
  public int protocol;
  public int oldState;
  public int newState;
  public int skErr;
  public boolean pidTrusted;
  public int pid;
  public String comm;
  public long cgroupId;
  public String container;
  public String pod;
  public String podNamespace;
  public long netns;
  public byte[] localAddr;
  public int localPort;
  public byte[] remoteAddr;
  public int remotePort;
  public int srttUs;
  public long bytesOut;
  public long bytesIn;
  public long segsOut;
  public long segsIn;
  public long retransSegs;
  /** TCP: the kernel's socket cookie (0 when the loader could not read it). */
  public long cookie;

  public SocketSample() {}

  /**
   * The socket (and, for UDP, the peer) the event belongs to: node, netns, transport, local and remote end, and the
   * socket's cookie. The cookie tells apart sockets that share a 4-tuple at once: when several segments reach a
   * request socket together, the kernel makes a child socket for each and closes all but one.
   */
  public static String key(SocketSample s) {
    StringBuilder b = new StringBuilder(s.node.length() + 112).append(s.node).append('|').append(s.netns).append('|')
        .append(s.protocol).append('|').append(s.cookie).append('|');
    if (s.protocol == 6 && s.cookie != 0) {
      // The cookie alone: a connect's CLOSE → SYN_SENT comes before the kernel picks the local port (it reads 0).
      return b.toString();
    }
    hex(b, s.localAddr).append(':').append(s.localPort).append('|');
    return hex(b, s.remoteAddr).append(':').append(s.remotePort).toString();
  }

  private static StringBuilder hex(StringBuilder b, byte[] a) {
    for (byte x : a) {
      b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
    }
    return b;
  }
}
