package io.sluice.decode.l7.http;

/** What an {@link HttpStreamParser} reports. The parser reuses {@code head}: copy what you keep. */
public interface HttpListener {
  /** How a response's body is framed, which depends on its request (RFC 9112 section 6.3). */
  enum ResponseBody { BY_HEADERS, NONE, TUNNEL }

  void onRequestHead(HttpHead head, long firstByteNs);

  /** A complete response head; the answer says whether a body follows (e.g. none for a HEAD request). */
  ResponseBody onResponseHead(HttpHead head, long firstByteNs);

  /**
   * The end of the message whose head was reported last. {@code complete} is false when the capture cut its
   * framing: its headers may be partial and {@code bodyBytes} is a lower bound.
   */
  void onMessageEnd(boolean request, long bodyBytes, boolean complete, long ns);

  /**
   * Bytes were lost where a message could have been: between messages ({@code betweenMessages}) or in the
   * middle of one whose framing is now lost. Either way the parser now looks for the next start line.
   */
  void onLostBytes(boolean request, boolean betweenMessages, long ns);
}
