package io.sluice.ingest.sources;

/** Kafka could not be read or written; the message names the broker and the topic. */
public final class SourcesTopicException extends RuntimeException {
  public SourcesTopicException(String message) {
    super(message);
  }

  public SourcesTopicException(String message, Throwable cause) {
    super(message, cause);
  }
}
