package io.sluice.decode.l7.http;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.ProblemCounts;
import java.nio.charset.StandardCharsets;

/**
 * Parses one direction of an HTTP/1.x connection incrementally, as TCP bytes arrive. It keeps one line of
 * state (at most {@link #MAX_LINE} bytes), so memory is bounded whatever the peer sends. Bodies are skipped
 * by Content-Length, by chunks, or until the connection closes; after a 101 (or a successful CONNECT) the
 * direction is a tunnel and is ignored. Lines may end in CRLF or a bare LF.
 *
 * <p>Holes the capture cut ({@link #onHole}: bytes known to be there, of known length) are skipped inside bodies
 * framed by length or by chunks whose size lines were captured, and counted into bodies read until close. Where a
 * hole hides framing (a start line, the end of a header block, a chunk size), the message is reported with what
 * was captured (its start line and the headers before the hole), marked incomplete, and the parser resumes at the
 * next captured start line.
 */
public final class HttpStreamParser {
  static final int MAX_LINE = 8192;

  private enum State { START, HEADERS, BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, UNTIL_CLOSE, TUNNEL }

  private final boolean requests;
  private final HttpListener listener;
  private final ProblemCounts problems;
  private final HttpHead head = new HttpHead();
  /** Grows as a line needs it, up to {@link #MAX_LINE}: a parser is made each time a conversation is read from state. */
  private byte[] line = new byte[128];
  private int lineLength;
  private boolean lineTooLong;
  private long lineStartNs;
  /** Where in {@link #line} the bytes of the latest {@link #onBytes} call begin, and their capture time. */
  private int chunkAt;
  private long chunkNs;
  private boolean newChunk;
  private State state = State.START;
  private long remaining;
  private long bodyBytes;
  /** After a bad start line or lost framing: skip lines quietly until a valid start line. */
  private boolean resyncing;

  /** Where a tunnel's bytes go (the HTTP/2 of an h2c upgrade); null: they are dropped. Not part of the state. */
  public interface Tunnel {
    void bytes(byte[] b, int off, int len, long ns);

    /** Bytes of the tunnel that were not captured, or an unknown amount (the 101's head was cut). */
    void gap(long missing, long ns);
  }

  private Tunnel tunnel;

  public void tunnelTo(Tunnel t) {
    tunnel = t;
  }

  public HttpStreamParser(boolean requests, HttpListener listener, ProblemCounts problems) {
    this.requests = requests;
    this.listener = listener;
    this.problems = problems;
  }

  public void onBytes(byte[] b, int off, int len, long ns) {
    newChunk = true;
    int p = off;
    int end = off + len;
    while (p < end) {
      switch (state) {
        case BODY_LENGTH, CHUNK_DATA -> {
          int n = (int) Math.min(remaining, end - p);
          remaining -= n;
          bodyBytes += n;
          p += n;
          if (remaining == 0) {
            if (state == State.BODY_LENGTH) {
              endMessage(ns);
            } else {
              state = State.CHUNK_DATA_END;
            }
          }
        }
        case UNTIL_CLOSE -> {
          bodyBytes += end - p;
          p = end;
        }
        case TUNNEL -> {
          if (tunnel != null) {
            tunnel.bytes(b, p, end - p, ns);
          }
          p = end;
        }
        default -> p = appendLine(b, p, end, ns);
      }
    }
  }

  /** {@code missing} bytes of this direction were never captured. */
  public void onGap(long missing, long ns) {
    switch (state) {
      case BODY_LENGTH, CHUNK_DATA -> {
        if (missing <= remaining) {
          remaining -= missing;
          bodyBytes += missing;
          if (remaining == 0) {
            if (state == State.BODY_LENGTH) {
              endMessage(ns);
            } else {
              state = State.CHUNK_DATA_END;
            }
          }
          return;
        }
        loseFraming(false, ns);
      }
      case UNTIL_CLOSE -> bodyBytes += missing;
      case TUNNEL -> tunnelGap(missing, ns);
      case START -> loseFraming(lineLength == 0, ns);
      default -> loseFraming(false, ns);
    }
  }

  /** {@code missing} bytes of this direction are in the stream here but were not captured (the snap length). */
  public void onHole(long missing, long ns) {
    if (missing <= 0) {
      return;
    }
    switch (state) {
      case BODY_LENGTH, CHUNK_DATA -> {
        if (missing <= remaining) {
          onGap(missing, ns); // inside the body: the framing holds
          return;
        }
        bodyBytes += remaining;
        remaining = 0;
        if (state == State.BODY_LENGTH) {
          endMessage(ns);
          cutFraming(true, ns); // the rest of the hole starts the next message
        } else {
          cutFraming(false, ns); // a chunk size line is in the hole
        }
      }
      case UNTIL_CLOSE -> bodyBytes += missing;
      case TUNNEL -> tunnelGap(missing, ns);
      case START -> {
        if (lineLength > 0 || lineTooLong) {
          startLineCut(ns);
        } else if (!resyncing) {
          cutFraming(true, ns); // a message starts in the hole
        }
      }
      case HEADERS -> headCut(ns);
      default -> cutFraming(false, ns);
    }
  }

  /** A start line the capture cut: keep what it says, if it says enough; then the head is cut too. */
  private void startLineCut(long ns) {
    int len = lineTooLong ? MAX_LINE : lineLength;
    lineLength = 0;
    lineTooLong = false;
    head.reset(requests);
    boolean ok = requests ? HttpLines.parseRequestLine(line, len, head, resyncing)
        : HttpLines.parseStatusLine(line, len, head);
    if (!ok) {
      if (!resyncing) {
        cutFraming(true, ns);
      }
      return;
    }
    resyncing = false;
    bodyBytes = 0;
    messageStartNs = lineStartNs;
    state = State.HEADERS;
    headCut(ns);
  }

  /** The head goes on past a hole: report it with the headers captured; its end and framing are unknown. */
  private void headCut(long ns) {
    lineLength = 0;
    lineTooLong = false;
    if (requests) {
      listener.onRequestHead(head, messageStartNs);
    } else {
      HttpListener.ResponseBody framing = listener.onResponseHead(head, messageStartNs);
      if (head.statusCode == 101 || framing == HttpListener.ResponseBody.TUNNEL) {
        listener.onMessageEnd(false, 0, false, ns);
        state = State.TUNNEL;
        tunnelGap(1, ns); // where the head ends is in the hole: the tunnel's first bytes are unknown
        return;
      }
    }
    cutFraming(false, ns);
  }

  /** A hole hides framing: end the message in progress incomplete and look for the next start line. */
  private void cutFraming(boolean messageStartsInHole, long ns) {
    problems.add(L7Problem.HTTP_FRAMING_CUT);
    boolean wasInMessage = inMessage();
    state = State.START;
    lineLength = 0;
    lineTooLong = false;
    resyncing = true;
    if (wasInMessage) {
      listener.onMessageEnd(requests, bodyBytes, false, ns);
      bodyBytes = 0;
    }
    if (messageStartsInHole) {
      listener.onLostBytes(requests, true, ns);
    }
  }

  /** The connection ends: a body read until close is complete now. */
  public void onClose(long ns) {
    if (state == State.UNTIL_CLOSE) {
      endMessage(ns);
    }
  }

  /** The other direction saw a 101 Switching Protocols: what follows is not HTTP. */
  public void switchToTunnel() {
    state = State.TUNNEL;
  }

  public boolean inMessage() {
    return state != State.START && state != State.TUNNEL;
  }

  private void loseFraming(boolean betweenMessages, long ns) {
    problems.add(L7Problem.HTTP_DESYNCHRONISED);
    boolean wasInMessage = inMessage();
    state = State.START;
    lineLength = 0;
    lineTooLong = false;
    resyncing = true;
    if (wasInMessage) {
      listener.onMessageEnd(requests, bodyBytes, false, ns);
    }
    listener.onLostBytes(requests, betweenMessages && !wasInMessage, ns);
  }

  private int appendLine(byte[] b, int p, int end, long ns) {
    if (lineLength == 0 && !lineTooLong) {
      lineStartNs = ns;
    }
    if (newChunk) {
      newChunk = false;
      chunkAt = lineLength;
      chunkNs = ns;
    }
    int lf = p;
    while (lf < end && b[lf] != '\n') {
      lf++;
    }
    int n = Math.min(lf - p, MAX_LINE - lineLength);
    lineCapacity(lineLength + n);
    System.arraycopy(b, p, line, lineLength, n);
    lineLength += n;
    if (n < lf - p) {
      lineTooLong = true;
    }
    if (lf == end) {
      return end;
    }
    int len = lineLength;
    if (len > 0 && line[len - 1] == '\r') {
      len--;
    }
    boolean tooLong = lineTooLong;
    lineLength = 0;
    lineTooLong = false;
    onLine(len, tooLong, ns);
    return lf + 1;
  }

  private void onLine(int len, boolean tooLong, long ns) {
    switch (state) {
      case START -> {
        if (len == 0) {
          return;
        }
        head.reset(requests);
        boolean ok = requests ? HttpLines.parseRequestLine(line, len, head, resyncing)
            : HttpLines.parseStatusLine(line, len, head);
        if (!ok && resyncing) {
          // After lost framing a start line may follow the end of a body within one line.
          int at = HttpLines.startLineWithin(line, len, requests);
          if (at > 0) {
            if (at >= chunkAt && !tooLong) {
              lineStartNs = chunkNs; // the start line came in a later segment than the line's first bytes
            }
            System.arraycopy(line, at, line, 0, len - at);
            len -= at;
            head.reset(requests);
            ok = requests ? HttpLines.parseRequestLine(line, len, head, true) : HttpLines.parseStatusLine(line, len, head);
          }
        }
        if (!ok) {
          if (!resyncing) {
            problems.add(requests ? L7Problem.HTTP_BAD_REQUEST_LINE : L7Problem.HTTP_BAD_STATUS_LINE);
            resyncing = true;
          }
          return;
        }
        resyncing = false;
        bodyBytes = 0;
        state = State.HEADERS;
        messageStartNs = lineStartNs;
      }
      case HEADERS -> {
        if (len == 0) {
          endHead(ns);
        } else if (tooLong) {
          problems.add(L7Problem.HTTP_HEADERS_TOO_LONG);
        } else {
          HttpLines.parseHeader(line, len, head);
        }
      }
      case CHUNK_SIZE -> {
        long size = HttpLines.parseChunkSize(line, len);
        if (size < 0) {
          problems.add(L7Problem.HTTP_BAD_CHUNK);
          loseFraming(false, ns);
        } else if (size == 0) {
          state = State.TRAILERS;
        } else {
          remaining = size;
          state = State.CHUNK_DATA;
        }
      }
      case CHUNK_DATA_END -> {
        if (len != 0) {
          problems.add(L7Problem.HTTP_BAD_CHUNK);
          loseFraming(false, ns);
        } else {
          state = State.CHUNK_SIZE;
        }
      }
      case TRAILERS -> {
        if (len == 0) {
          endMessage(ns);
        }
      }
      default -> { }
    }
  }

  private long messageStartNs;

  private void endHead(long ns) {
    if (requests) {
      listener.onRequestHead(head, messageStartNs);
      startBody(ns);
      return;
    }
    HttpListener.ResponseBody framing = listener.onResponseHead(head, messageStartNs);
    int status = head.statusCode;
    if (status == 101 || framing == HttpListener.ResponseBody.TUNNEL) {
      listener.onMessageEnd(false, 0, true, ns);
      state = State.TUNNEL;
    } else if ((status >= 100 && status < 200) || status == 204 || status == 304
        || framing == HttpListener.ResponseBody.NONE) {
      endMessage(ns);
    } else if (head.chunked) {
      state = State.CHUNK_SIZE;
    } else if (head.contentLength >= 0) {
      startLength(head.contentLength, ns);
    } else {
      state = State.UNTIL_CLOSE;
    }
  }

  private void startBody(long ns) {
    if (head.chunked) {
      state = State.CHUNK_SIZE;
    } else if (head.contentLength > 0) {
      startLength(head.contentLength, ns);
    } else {
      endMessage(ns);
    }
  }

  private void startLength(long length, long ns) {
    if (length == 0) {
      endMessage(ns);
    } else {
      remaining = length;
      state = State.BODY_LENGTH;
    }
  }

  private void endMessage(long ns) {
    state = State.START;
    listener.onMessageEnd(requests, bodyBytes, true, ns);
    bodyBytes = 0;
  }

  private void tunnelGap(long missing, long ns) {
    if (tunnel != null) {
      tunnel.gap(missing, ns);
    }
  }

  private void lineCapacity(int bytes) {
    if (bytes > line.length) {
      line = java.util.Arrays.copyOf(line, Math.min(MAX_LINE, Math.max(bytes, line.length * 2)));
    }
  }

  /** The parser's state, for Flink keyed state: at most one line of bytes. */
  public void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeByte(state.ordinal());
    out.writeInt(lineLength);
    out.write(line, 0, lineLength);
    out.writeBoolean(lineTooLong);
    out.writeLong(lineStartNs);
    out.writeLong(remaining);
    out.writeLong(bodyBytes);
    out.writeBoolean(resyncing);
    out.writeLong(messageStartNs);
    out.writeBoolean(head.request);
    for (String s : new String[] {head.method, head.path, head.version, head.host, head.userAgent, head.contentType}) {
      out.writeUTF(s == null ? "" : s);
    }
    out.writeInt(head.statusCode);
    out.writeLong(head.contentLength);
    out.writeBoolean(head.chunked);
    out.writeBoolean(head.connectionClose);
    out.writeBoolean(head.upgrade);
    out.writeBoolean(head.upgradeH2c);
    out.writeUTF(head.http2Settings);
  }

  public void read(java.io.DataInput in) throws java.io.IOException {
    state = State.values()[in.readByte()];
    lineLength = in.readInt();
    if (lineLength < 0 || lineLength > MAX_LINE) {
      throw new java.io.IOException("HTTP parser state: line of " + lineLength + " bytes");
    }
    lineCapacity(lineLength);
    in.readFully(line, 0, lineLength);
    lineTooLong = in.readBoolean();
    lineStartNs = in.readLong();
    remaining = in.readLong();
    bodyBytes = in.readLong();
    resyncing = in.readBoolean();
    messageStartNs = in.readLong();
    head.request = in.readBoolean();
    head.method = in.readUTF();
    head.path = in.readUTF();
    head.version = in.readUTF();
    head.host = in.readUTF();
    head.userAgent = in.readUTF();
    head.contentType = in.readUTF();
    head.statusCode = in.readInt();
    head.contentLength = in.readLong();
    head.chunked = in.readBoolean();
    head.connectionClose = in.readBoolean();
    head.upgrade = in.readBoolean();
    head.upgradeH2c = in.readBoolean();
    head.http2Settings = in.readUTF();
  }

  static String ascii(byte[] b, int from, int to, int max) {
    return new String(b, from, Math.min(to - from, max), StandardCharsets.ISO_8859_1);
  }
}
