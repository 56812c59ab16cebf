package io.sluice.store.schema;

/** A migration could not be applied; the message names the file, the statement and the server's error. */
public final class MigrationException extends RuntimeException {
  public MigrationException(String message) {
    super(message);
  }
}
