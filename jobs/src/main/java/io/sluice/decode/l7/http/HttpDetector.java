package io.sluice.decode.l7.http;

/** Recognises HTTP/1.x by content, for connections on ports that are not HTTP ports. */
public final class HttpDetector {
  private HttpDetector() {}

  /** True when a client's first bytes start with a known method and a space. */
  public static boolean looksLikeRequest(byte[] b, int off, int len) {
    return HttpLines.isKnownMethod(b, off, len);
  }

  /** True when a server's first bytes start with an HTTP/1.x status line prefix. */
  public static boolean looksLikeResponse(byte[] b, int off, int len) {
    return len >= 9 && b[off] == 'H' && b[off + 1] == 'T' && b[off + 2] == 'T' && b[off + 3] == 'P'
        && b[off + 4] == '/' && b[off + 5] == '1' && b[off + 6] == '.';
  }
}
