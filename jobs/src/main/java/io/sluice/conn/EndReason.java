package io.sluice.conn;

/** How a lifetime ended, as the {@code end_reason} column says it. */
public final class EndReason {
  /** Both FINs: from FIN_WAIT2, TIME_WAIT, CLOSING or LAST_ACK to CLOSE. */
  public static final String FIN = "fin";
  /** A reset from the peer (the socket's error ECONNRESET or EPIPE). */
  public static final String RST = "rst";
  /** This socket sent the reset: closed while ESTABLISHED or CLOSE_WAIT with no error (unread data, SO_LINGER 0). */
  public static final String RST_SENT = "rst_sent";
  /** A reset answered the SYN (ECONNREFUSED). */
  public static final String REFUSED = "refused";
  /** The kernel gave up retransmitting (SYN, data or keepalive: ETIMEDOUT). */
  public static final String TIMEOUT = "timeout";
  /** Another socket error (e.g. EHOSTUNREACH from ICMP); the errno is in sk_err. */
  public static final String ERROR = "error";
  /** The application closed it before the handshake finished. */
  public static final String CLOSED = "closed";
  /** TCP: no event for the job's idle limit and no close seen (the loader missed it, or a long quiet connection). */
  public static final String EXPIRED = "expired";
  /** UDP: no send announced for the job's UDP idle limit. */
  public static final String IDLE = "idle";
  /** Still open when a bounded input ended (replays and tests). */
  public static final String OPEN = "open";
  /** A new connection on the same socket began before this one's close was seen. */
  public static final String UNKNOWN = "unknown";

  static final int ECONNRESET = 104;
  static final int EPIPE = 32;
  static final int ECONNREFUSED = 111;
  static final int ETIMEDOUT = 110;

  private EndReason() {}

  /** The reason of a TCP change {@code from} → CLOSE, with the socket's error at that moment. */
  public static String ofClose(int from, int skErr) {
    switch (skErr) {
      case 0:
        break;
      case ECONNREFUSED:
        return REFUSED;
      case ECONNRESET:
      case EPIPE:
        return RST;
      case ETIMEDOUT:
        return TIMEOUT;
      default:
        return ERROR;
    }
    switch (from) {
      case TcpStates.FIN_WAIT2:
      case TcpStates.TIME_WAIT:
      case TcpStates.CLOSING:
      case TcpStates.LAST_ACK:
        return FIN;
      case TcpStates.SYN_SENT:
      case TcpStates.SYN_RECV:
        return CLOSED;
      default:
        return RST_SENT;
    }
  }
}
