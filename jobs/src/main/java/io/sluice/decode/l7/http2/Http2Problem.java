package io.sluice.decode.l7.http2;

/** Why some HTTP/2 input was not (fully) used. Counted per connection, never thrown. */
public enum Http2Problem {
  /** The client's first bytes were not the connection preface. */
  BAD_PREFACE,
  /** A capture hole across a frame header: the rest of that direction cannot be framed. */
  FRAMING_LOST,
  /** A header block was not captured whole: the fields before the hole were kept. */
  HEADER_BLOCK_CUT,
  /** A header block HPACK could not decode. */
  HPACK_ERROR,
  /** A frame other than CONTINUATION in the middle of a header block. */
  CONTINUATION_EXPECTED,
  /** A frame larger than the parser buffers (DATA is never buffered). */
  FRAME_TOO_LARGE,
  /** More open streams than one connection may track. */
  STREAM_TABLE_FULL,
  /** A frame whose fixed fields do not fit its length. */
  BAD_FRAME,
  /** Started mid-connection: bytes skipped until a segment began on frame headers that validate. */
  SKIPPED_TO_FRAME_START;

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
