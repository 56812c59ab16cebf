package io.sluice.decode.l7.http2;

/** Receives the fields of one decoded header block, in order. */
public interface HeaderSink {
  void header(String name, String value);

  /** A field that cannot be recovered: it names an entry of a dynamic table whose contents are unknown. */
  void unknown();
}
