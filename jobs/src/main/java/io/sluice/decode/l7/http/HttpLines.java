package io.sluice.decode.l7.http;

/** Parsing of single HTTP/1.x lines: start lines, the headers Sluice keeps, chunk sizes. */
final class HttpLines {
  private HttpLines() {}

  /**
   * "METHOD SP target [SP version]". The method is a token (RFC 9110 tchar) ending at a space or the end of
   * the line; a target or version may be missing, as tshark also accepts. When resynchronising after lost
   * bytes, only a complete line ending in an HTTP/ version is trusted.
   */
  static boolean parseRequestLine(byte[] l, int len, HttpHead h, boolean strict) {
    int sp = 0;
    while (sp < len && isTchar(l[sp])) {
      sp++;
    }
    if (sp == 0 || (sp < len && l[sp] != ' ')) {
      return false;
    }
    int targetEnd = sp + 1;
    while (targetEnd < len && l[targetEnd] != ' ') {
      targetEnd++;
    }
    int versionStart = Math.min(targetEnd + 1, len);
    if (strict && !startsWith(l, versionStart, len, "HTTP/")) {
      return false;
    }
    h.method = HttpStreamParser.ascii(l, 0, sp, 32);
    h.path = sp < len ? HttpStreamParser.ascii(l, sp + 1, targetEnd, HttpHead.MAX_PATH) : "";
    h.version = HttpStreamParser.ascii(l, versionStart, len, 16).trim();
    return true;
  }

  /** "HTTP/x.y SP 3DIGIT [SP reason]". */
  static boolean parseStatusLine(byte[] l, int len, HttpHead h) {
    if (!startsWith(l, 0, len, "HTTP/")) {
      return false;
    }
    int sp = 5;
    while (sp < len && l[sp] != ' ') {
      sp++;
    }
    if (sp + 4 > len || !isDigit(l[sp + 1]) || !isDigit(l[sp + 2]) || !isDigit(l[sp + 3])
        || (sp + 4 < len && l[sp + 4] != ' ')) {
      return false;
    }
    h.version = HttpStreamParser.ascii(l, 0, sp, 16);
    h.statusCode = (l[sp + 1] - '0') * 100 + (l[sp + 2] - '0') * 10 + (l[sp + 3] - '0');
    return true;
  }

  static void parseHeader(byte[] l, int len, HttpHead h) {
    int colon = 0;
    while (colon < len && l[colon] != ':') {
      colon++;
    }
    if (colon == len) {
      return;
    }
    int v = colon + 1;
    while (v < len && (l[v] == ' ' || l[v] == '\t')) {
      v++;
    }
    int e = len;
    while (e > v && (l[e - 1] == ' ' || l[e - 1] == '\t')) {
      e--;
    }
    switch (colon) {
      case 4 -> {
        if (nameIs(l, "host")) {
          h.host = HttpStreamParser.ascii(l, v, e, HttpHead.MAX_HOST);
        }
      }
      case 10 -> {
        if (nameIs(l, "user-agent")) {
          h.userAgent = HttpStreamParser.ascii(l, v, e, HttpHead.MAX_USER_AGENT);
        } else if (nameIs(l, "connection")) {
          h.connectionClose = containsIgnoreCase(l, v, e, "close");
        }
      }
      case 12 -> {
        if (nameIs(l, "content-type")) {
          h.contentType = HttpStreamParser.ascii(l, v, e, HttpHead.MAX_CONTENT_TYPE);
        }
      }
      case 14 -> {
        if (nameIs(l, "content-length")) {
          h.contentLength = parseDecimal(l, v, e);
        } else if (nameIs(l, "http2-settings")) {
          h.http2Settings = HttpStreamParser.ascii(l, v, e, HttpHead.MAX_HTTP2_SETTINGS);
        }
      }
      case 17 -> {
        if (nameIs(l, "transfer-encoding")) {
          // Chunked must be the final coding (RFC 9112 section 6.3); anything else reads until close.
          h.chunked = endsWithIgnoreCase(l, v, e, "chunked");
          if (!h.chunked) {
            h.contentLength = -1;
          }
        }
      }
      case 7 -> {
        if (nameIs(l, "upgrade")) {
          h.upgrade = true;
          h.upgradeH2c = containsIgnoreCase(l, v, e, "h2c");
        }
      }
      default -> { }
    }
  }

  /** Hex size before any ";extension"; -1 when invalid or absurd. */
  static long parseChunkSize(byte[] l, int len) {
    long size = 0;
    int digits = 0;
    int i = 0;
    while (i < len && (l[i] == ' ' || l[i] == '\t')) {
      i++;
    }
    for (; i < len; i++) {
      int d = Character.digit(l[i], 16);
      if (d < 0) {
        break;
      }
      if (++digits > 15) {
        return -1;
      }
      size = size << 4 | d;
    }
    if (digits == 0) {
      return -1;
    }
    while (i < len && (l[i] == ' ' || l[i] == '\t')) {
      i++;
    }
    return i == len || l[i] == ';' ? size : -1;
  }

  private static long parseDecimal(byte[] l, int from, int to) {
    if (from == to || to - from > 18) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      if (!isDigit(l[i])) {
        return -1;
      }
      v = v * 10 + (l[i] - '0');
    }
    return v;
  }

  private static boolean nameIs(byte[] l, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      int c = l[i];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean containsIgnoreCase(byte[] l, int from, int to, String lower) {
    for (int i = from; i + lower.length() <= to; i++) {
      if (regionIs(l, i, lower)) {
        return true;
      }
    }
    return false;
  }

  private static boolean endsWithIgnoreCase(byte[] l, int from, int to, String lower) {
    return to - from >= lower.length() && regionIs(l, to - lower.length(), lower);
  }

  private static boolean regionIs(byte[] l, int at, String lower) {
    for (int k = 0; k < lower.length(); k++) {
      int c = l[at + k];
      if (c >= 'A' && c <= 'Z') {
        c += 32;
      }
      if (c != lower.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] l, int at, int len, String prefix) {
    if (len - at < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (l[at + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** RFC 9110 tchar. */
  private static boolean isTchar(byte c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c)) {
      return true;
    }
    return c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' || c == '+'
        || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~';
  }

  /**
   * Where a start line begins inside {@code l} (after other bytes), or -1: "HTTP/1." for a status line, a known
   * method and a space for a request line.
   */
  static int startLineWithin(byte[] l, int len, boolean request) {
    for (int i = 1; i < len; i++) {
      if (request ? isKnownMethod(l, i, len - i) && !isTchar(l[i - 1]) : startsWith(l, i, len, "HTTP/1.")) {
        return i;
      }
    }
    return -1;
  }

  /** Methods recognised when detecting HTTP by content on a port that is not an HTTP port. */
  static boolean isKnownMethod(byte[] b, int off, int len) {
    for (String m : KNOWN_METHODS) {
      if (len > m.length() && b[off + m.length()] == ' ' && startsWith(b, off, off + len, m)) {
        return true;
      }
    }
    return false;
  }

  private static final String[] KNOWN_METHODS = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"
  };
}
