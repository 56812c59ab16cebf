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

  public SocketSample() {}

  /** The socket (and, for UDP, the peer) the event belongs to: node, netns, transport, local and remote end. */
  public static String key(SocketSample s) {
    StringBuilder b = new StringBuilder(s.node.length() + 96).append(s.node).append('|').append(s.netns).append('|')
        .append(s.protocol).append('|');
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
