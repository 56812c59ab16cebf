package io.sluice.l7;

/** The {@code status} column of the {@code dns} and {@code http} tables. */
public final class RowStatus {
  public static final String ANSWERED = "answered";
  public static final String TIMEOUT = "timeout";
  public static final String UNSOLICITED = "unsolicited";
  /** HTTP only: the capture lost the response (a gap in the server's stream where it should be). */
  public static final String LOST = "lost";

  private RowStatus() {}
}
