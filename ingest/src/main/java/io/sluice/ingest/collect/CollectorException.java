package io.sluice.ingest.collect;

/** The collector cannot start: a port is taken, Kafka is unreachable, a topic is missing. */
public final class CollectorException extends RuntimeException {
  public CollectorException(String message, Throwable cause) {
    super(message, cause);
  }
}
