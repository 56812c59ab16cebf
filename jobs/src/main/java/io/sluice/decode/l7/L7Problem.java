package io.sluice.decode.l7;

/** Why some input was not (fully) used. Counted, never thrown: see {@link ProblemCounts}. */
public enum L7Problem {
  /** A frame whose link type or headers the packet parser could not decode to IP. */
  PACKET_UNPARSED,
  /** Headers cut short by the snap length. */
  PACKET_TRUNCATED,
  IP_FRAGMENT_TABLE_FULL,
  IP_FRAGMENT_TIMEOUT,
  IP_FRAGMENT_INVALID,
  TCP_TABLE_FULL,
  /** Bytes missing from a TCP stream (lost by the capture, or too far out of order to buffer). */
  TCP_GAP,
  TCP_OUT_OF_ORDER_OVERFLOW,
  DNS_TRUNCATED_MESSAGE,
  DNS_BAD_NAME,
  DNS_COMPRESSION_LOOP,
  DNS_BAD_RECORD,
  DNS_BAD_TCP_LENGTH,
  DNS_PENDING_TABLE_FULL,
  DNS_DUPLICATE_RESPONSE,
  HTTP_BAD_REQUEST_LINE,
  HTTP_BAD_STATUS_LINE,
  HTTP_HEADERS_TOO_LONG,
  HTTP_BAD_CHUNK,
  HTTP_PIPELINE_TOO_DEEP,
  /** An HTTP direction lost its framing (after a gap) and is skipped until the connection ends. */
  HTTP_DESYNCHRONISED,
  /** The capture cut a DNS message before the end of its 12-byte header: it cannot be paired. */
  DNS_HEADER_CUT,
  /** A DNS-over-TCP length prefix fell where the capture cut a segment: the direction is skipped until it ends. */
  DNS_TCP_FRAMING_CUT,
  /**
   * HTTP framing (a chunk size, the end of a header block, a start line) fell where the capture cut a segment: the
   * message is ended with what was seen (marked incomplete) and the parser resumes at the next captured start line.
   */
  HTTP_FRAMING_CUT,
  /** A frame whose processing threw (a bug a crafted input found): dropped, with its conversation's state. */
  DECODER_EXCEPTION,
  /**
   * A packet that reached the streaming join after event time had passed it (the watermark moved on without it):
   * it still goes through its conversation, but a timeout may already have fired before it (an answer then shows as
   * unsolicited and its query as unanswered). Bounded replays never produce one; live, a partition delayed past its
   * silence allowance can.
   */
  PACKET_LATE,
  /**
   * A packet of a conversation the streaming join held no state for, while its subtask already held its share of
   * the L7Job's {@code max-conversations} open: dropped (not queued), so its conversation gives no rows. Conversations
   * already open go on; new ones are taken again once some close.
   */
  CONVERSATION_LIMIT;

  /** The name used in summaries and metrics: lower snake case. */
  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
