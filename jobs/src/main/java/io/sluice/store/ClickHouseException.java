package io.sluice.store;

/** ClickHouse refused a statement or could not be reached; the message is the server's own text. */
public final class ClickHouseException extends RuntimeException {
  private final int code;

  public ClickHouseException(int code, String message) {
    super(message);
    this.code = code;
  }

  public ClickHouseException(String message, Throwable cause) {
    super(message, cause);
    this.code = -1;
  }

  /** The server's error code (e.g. 62 for a syntax error), or -1 when the server was not reached. */
  public int code() {
    return code;
  }
}
