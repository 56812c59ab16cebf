package io.sluice.stack;

/** The stack could not be started, checked or stopped; the message says what to do about it. */
public final class StackException extends RuntimeException {
  public StackException(String message) {
    super(message);
  }

  public StackException(String message, Throwable cause) {
    super(message, cause);
  }
}
