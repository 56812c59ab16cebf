package io.sluice.conn;

/** The kernel's TCP_* state numbers (include/net/tcp_states.h) and their names as the connections table stores them. */
public final class TcpStates {
  public static final int ESTABLISHED = 1;
  public static final int SYN_SENT = 2;
  public static final int SYN_RECV = 3;
  public static final int FIN_WAIT1 = 4;
  public static final int FIN_WAIT2 = 5;
  public static final int TIME_WAIT = 6;
  public static final int CLOSE = 7;
  public static final int CLOSE_WAIT = 8;
  public static final int LAST_ACK = 9;
  public static final int LISTEN = 10;
  public static final int CLOSING = 11;

  private static final String[] NAMES = {"", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
      "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE"};

  private TcpStates() {}

  public static String name(int state) {
    return state > 0 && state < NAMES.length ? NAMES[state] : "STATE_" + state;
  }
}
