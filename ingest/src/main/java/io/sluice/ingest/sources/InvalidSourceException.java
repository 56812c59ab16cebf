package io.sluice.ingest.sources;

/** A registration the user must correct; the message says what is wrong and how to fix it, in one line. */
public final class InvalidSourceException extends IllegalArgumentException {
  public InvalidSourceException(String message) {
    super(message);
  }
}
