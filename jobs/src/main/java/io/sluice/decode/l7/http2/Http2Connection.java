package io.sluice.decode.l7.http2;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP/2 connection (RFC 9113) seen from the wire: both directions' frames, each with its own HPACK
 * decoder, and a tracker that turns the streams into {@link Http2StreamRow}s, in any order and many at once.
 *
 * <p>Fed with each direction's reassembled bytes. A hole of known length (a lost segment, or payload cut by the
 * capture's snap) is stepped over when it falls inside a frame's payload: DATA is counted, a header block is
 * decoded up to the hole and its direction's dynamic table becomes unknown. A hole across a frame header loses
 * that direction's framing for good.
 *
 * <p>Mid-connection (not {@code fromStart}: the capture or the job began while the connection was open), each
 * direction skips whole chunks of bytes until one begins with frame headers that validate
 * ({@link #startsWithFrames}), both dynamic tables are unknown ({@link HpackDecoder}: only entries added after the
 * start resolve), and only streams whose request HEADERS come after the start become rows: a response, DATA or
 * trailers of a stream opened before it is dropped, never made into a row.
 */
public final class Http2Connection implements io.sluice.decode.l7.ConnectionParser {
  public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  /** Frames other than DATA are buffered whole up to this size (SETTINGS_MAX_FRAME_SIZE's default is 16 KiB). */
  static final int MAX_BUFFERED_FRAME = 1 << 20;
  /** Header blocks (HEADERS and its CONTINUATIONs) up to this size. */
  static final int MAX_HEADER_BLOCK = 1 << 20;
  public static final int MAX_STREAMS = 4096;

  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int PRIORITY = 2;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PUSH_PROMISE = 5;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int WINDOW_UPDATE = 8;
  static final int CONTINUATION = 9;

  static final int FLAG_END_STREAM = 0x1;
  static final int FLAG_ACK = 0x1;
  static final int FLAG_END_HEADERS = 0x4;
  static final int FLAG_PADDED = 0x8;
  static final int FLAG_PRIORITY = 0x20;

  public interface Listener {
    void onStream(Http2StreamRow row);
  }

  private final Listener out;
  private boolean midStream;
  private final Direction client;
  private final Direction server;
  private final Map<Integer, StreamState> streams = new HashMap<>();
  private final long[] problems = new long[Http2Problem.values().length];
  private int highestClientStream;
  private int highestPushStream;
  private final long[] frameCounts = new long[10];

  /**
   * @param fromStart the capture holds the connection from its first byte: the client's side starts with the
   *     preface and both dynamic tables are known. Otherwise each direction is taken to start at a frame
   *     boundary, with dynamic tables unknown.
   */
  public Http2Connection(boolean fromStart, Listener out) {
    this.out = out;
    this.midStream = !fromStart;
    this.client = new Direction(true, fromStart);
    this.server = new Direction(false, fromStart);
  }

  /** The largest frame a peer sends before SETTINGS_MAX_FRAME_SIZE raises it: larger ones do not start a sync. */
  private static final int DEFAULT_MAX_FRAME = 1 << 14;

  /**
   * Whether {@code len} bytes at {@code off}, the start of a segment of a connection seen mid-way, begin on an
   * HTTP/2 frame boundary: every frame header in them is sane for its type (length, flags, stream id), and there
   * are two of them, or one that ends exactly with the bytes. A first CONTINUATION is refused (its block began
   * before). HTTP/1 and TLS never pass: their first three bytes read as a length far above 16 KiB.
   */
  public static boolean startsWithFrames(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    int frames = 0;
    while (end - i >= 9) {
      if (!saneFrameHeader(b, i) || (frames == 0 && (b[i + 3] & 0xff) == CONTINUATION)) {
        return false;
      }
      frames++;
      int next = i + 9 + frameLength(b, i);
      if (next > end) {
        return frames >= 2;
      }
      i = next;
    }
    return frames >= 2 || (frames == 1 && i == end && (b[off + 3] & 0xff) != DATA);
  }

  /**
   * Which side sent a segment that {@link #startsWithFrames}: 1 the client, -1 the server, 0 when it does not say.
   * Only a header block that starts in it does: its first field is a pseudo-header (RFC 9113 8.3), :status from a
   * server, :method, :scheme, :path or :authority from a client; PUSH_PROMISE comes from servers only.
   */
  public static int sender(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (end - i >= 9) {
      int length = frameLength(b, i);
      int type = b[i + 3] & 0xff;
      int flags = b[i + 4] & 0xff;
      if (type == PUSH_PROMISE) {
        return -1;
      }
      if (type == HEADERS) {
        int at = i + 9 + ((flags & FLAG_PADDED) != 0 ? 1 : 0) + ((flags & FLAG_PRIORITY) != 0 ? 5 : 0);
        int blockEnd = Math.min(end, i + 9 + length);
        if (at < blockEnd) {
          String[] first = new String[1];
          new HpackDecoder(false).decode(b, at, blockEnd - at, false, new HeaderSink() {
            @Override
            public void header(String name, String value) {
              if (first[0] == null) {
                first[0] = name;
              }
            }

            @Override
            public void unknown() {
              if (first[0] == null) {
                first[0] = "";
              }
            }
          });
          if (":status".equals(first[0])) {
            return -1;
          }
          if (first[0] != null && Field.of(first[0]) != null && Field.of(first[0]).request) {
            return 1;
          }
        }
      }
      i += 9 + length;
    }
    return 0;
  }

  private static int frameLength(byte[] b, int at) {
    return ((b[at] & 0xff) << 16) | ((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff);
  }

  private static boolean saneFrameHeader(byte[] b, int at) {
    int length = frameLength(b, at);
    int type = b[at + 3] & 0xff;
    int flags = b[at + 4] & 0xff;
    int stream = int32(b, at + 5);
    if (length > DEFAULT_MAX_FRAME || type > CONTINUATION || stream < 0) { // stream < 0: the reserved bit set
      return false;
    }
    return switch (type) {
      case DATA -> stream != 0 && (flags & ~(FLAG_END_STREAM | FLAG_PADDED)) == 0;
      case HEADERS -> stream != 0
          && (flags & ~(FLAG_END_STREAM | FLAG_END_HEADERS | FLAG_PADDED | FLAG_PRIORITY)) == 0
          && length >= ((flags & FLAG_PADDED) != 0 ? 1 : 0) + ((flags & FLAG_PRIORITY) != 0 ? 5 : 0);
      case PRIORITY -> stream != 0 && flags == 0 && length == 5;
      case RST_STREAM -> stream != 0 && flags == 0 && length == 4;
      case SETTINGS -> stream == 0 && (flags == 0 && length % 6 == 0 || flags == FLAG_ACK && length == 0);
      case PUSH_PROMISE -> stream != 0 && (flags & ~(FLAG_END_HEADERS | FLAG_PADDED)) == 0 && length >= 4;
      case PING -> stream == 0 && (flags & ~FLAG_ACK) == 0 && length == 8;
      case GOAWAY -> stream == 0 && flags == 0 && length >= 8;
      case WINDOW_UPDATE -> flags == 0 && length == 4;
      default -> stream != 0 && (flags & ~FLAG_END_HEADERS) == 0; // CONTINUATION
    };
  }

  public void onBytes(boolean fromClient, byte[] b, int off, int len, long ts) {
    (fromClient ? client : server).bytes(b, off, len, ts);
  }

  /** {@code missing} bytes of that direction will never arrive. */
  public void onGap(boolean fromClient, long missing, long ts) {
    (fromClient ? client : server).gap(missing, ts);
  }

  /** The connection ended: every stream still open becomes a row. */
  public void close(long ts) {
    for (StreamState s : new ArrayList<>(streams.values())) {
      String status = s.unsolicited ? Http2StreamRow.STATUS_UNSOLICITED
          : s.responseEnded ? Http2StreamRow.STATUS_ANSWERED
          : !server.synced || (s.responseMayBeSkipped && !s.responseHeadersSeen) ? Http2StreamRow.STATUS_LOST
          : Http2StreamRow.STATUS_TIMEOUT;
      emit(s, status, 0);
    }
  }

  /**
   * An HTTP/1.1 request upgraded to HTTP/2 by {@code Upgrade: h2c} and a 101 (RFC 7540 3.2, RFC 9113 3.1): it is
   * stream 1, already sent whole, whose response comes in HTTP/2 frames. Call before any byte of the connection's
   * HTTP/2 part, after {@link #upgradeSettings}.
   */
  public void upgradedRequest(String method, String authority, String path, String contentType, String userAgent,
      long bodyBytes, long requestNs, boolean incomplete) {
    StreamState s = open(1);
    if (s == null) {
      return;
    }
    highestClientStream = 1;
    s.method = method;
    s.scheme = "http";
    s.authority = authority;
    s.path = path;
    s.requestContentType = contentType;
    s.userAgent = userAgent;
    s.grpc = Grpc.isGrpcContentType(contentType);
    s.requestBody = bodyBytes;
    s.requestNs = requestNs;
    s.requestEnded = true;
    s.incomplete = incomplete;
  }

  /**
   * The upgrading request's HTTP2-Settings (RFC 7540 3.2.1: the client's SETTINGS payload, base64url): they are the
   * client's first settings, so SETTINGS_HEADER_TABLE_SIZE bounds the server's HPACK table from its first header
   * block on. "" (absent) changes nothing; a value that is not base64url of whole settings is counted
   * ({@link Http2Problem#BAD_FRAME}) and ignored.
   */
  public void upgradeSettings(String base64url) {
    if (base64url.isEmpty()) {
      return;
    }
    byte[] payload;
    try {
      payload = java.util.Base64.getUrlDecoder().decode(base64url);
    } catch (IllegalArgumentException e) {
      payload = null;
    }
    if (payload == null || payload.length % 6 != 0) {
      problems[Http2Problem.BAD_FRAME.ordinal()]++;
      return;
    }
    applySettings(true, payload, payload.length);
  }

  /** SETTINGS from one side: SETTINGS_HEADER_TABLE_SIZE bounds the peer's encoder, so this side's peer decoder. */
  private void applySettings(boolean fromClient, byte[] payload, int length) {
    for (int i = 0; i + 6 <= length; i += 6) {
      int id = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
      if (id == 1) {
        (fromClient ? server : client).hpack.setLimit(int32(payload, i + 2));
      }
    }
  }

  public int openStreams() {
    return streams.size();
  }

  public long problems(Http2Problem p) {
    return problems[p.ordinal()];
  }

  /** Frames seen of a type (0..9). */
  public long frames(int type) {
    return frameCounts[type];
  }

  /** Whether the client's side started with the preface (always true when not {@code fromStart}). */
  public boolean prefaceSeen() {
    return client.prefaceLeft == 0 && client.synced;
  }

  /** The whole state, for Flink keyed state; {@link #read} gives a connection that goes on the same way. */
  public void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeBoolean(midStream);
    for (long p : problems) {
      out.writeLong(p);
    }
    for (long f : frameCounts) {
      out.writeLong(f);
    }
    out.writeInt(highestClientStream);
    out.writeInt(highestPushStream);
    out.writeInt(streams.size());
    for (StreamState s : streams.values()) {
      s.write(out);
    }
    client.write(out);
    server.write(out);
  }

  public static Http2Connection read(java.io.DataInput in, Listener out) throws java.io.IOException {
    Http2Connection c = new Http2Connection(true, out);
    c.midStream = in.readBoolean();
    for (int i = 0; i < c.problems.length; i++) {
      c.problems[i] = in.readLong();
    }
    for (int i = 0; i < c.frameCounts.length; i++) {
      c.frameCounts[i] = in.readLong();
    }
    c.highestClientStream = in.readInt();
    c.highestPushStream = in.readInt();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      StreamState s = StreamState.read(in);
      c.streams.put(s.id, s);
    }
    c.client.read(in);
    c.server.read(in);
    return c;
  }

  private void problem(Http2Problem p) {
    problems[p.ordinal()]++;
  }

  private void emit(StreamState s, String status, long errorCode) {
    streams.remove(s.id);
    // A side that did not end while its direction had lost its framing, or whose gRPC message starts fell in a
    // hole: its body bytes and message count are lower bounds.
    if ((!s.requestEnded && !client.synced) || (!s.responseEnded && !server.synced)
        || (s.grpc && (s.requestMessages.lost || s.responseMessages.lost))
        || (s.responseMayBeSkipped && !s.responseHeadersSeen)) {
      s.incomplete = true;
    }
    out.onStream(s.row(status, errorCode));
  }

  private StreamState open(int id) {
    if (streams.size() >= MAX_STREAMS) {
      problem(Http2Problem.STREAM_TABLE_FULL);
      return null;
    }
    StreamState s = new StreamState(id);
    streams.put(id, s);
    return s;
  }

  /** One direction's framing and header decoding. */
  private final class Direction implements HeaderSink {
    final boolean isClient;
    HpackDecoder hpack;
    int prefaceLeft;
    boolean synced = true;
    /** Mid-connection: no frame boundary found yet, chunks are skipped until one starts on frames. */
    boolean hunting;

    private final byte[] head = new byte[9];
    private int headFill;
    private long frameTs;
    private int type;
    private int flags;
    private int streamId;
    private int length;
    private int payloadPos;
    private byte[] payload = new byte[256];
    private boolean buffering;
    /** First offset of a hole in the buffered payload; -1 when whole. */
    private int payloadHole = -1;
    /** DATA: padding length (when PADDED), learned from the first payload byte. */
    private int padLen;

    private byte[] block = new byte[1024];
    private int blockLen;
    private int blockHole = -1;
    private boolean inBlock;
    private int blockStream;
    private int blockPromised;
    private boolean blockEndStream;
    private long blockTs;
    private boolean blockTooBig;

    // the fields of the block being decoded that rows use (the first of each); null when absent
    private final String[] fields = new String[Field.values().length];
    private int unknownFields;

    Direction(boolean isClient, boolean fromStart) {
      this.isClient = isClient;
      this.hpack = new HpackDecoder(fromStart);
      this.prefaceLeft = isClient && fromStart ? PREFACE.length : 0;
      this.hunting = !fromStart;
    }

    void write(java.io.DataOutput out) throws java.io.IOException {
      hpack.write(out);
      out.writeInt(prefaceLeft);
      out.writeBoolean(synced);
      out.writeBoolean(hunting);
      out.write(head);
      out.writeInt(headFill);
      out.writeLong(frameTs);
      out.writeInt(type);
      out.writeInt(flags);
      out.writeInt(streamId);
      out.writeInt(length);
      out.writeInt(payloadPos);
      out.writeBoolean(buffering);
      out.writeInt(payloadHole);
      out.writeInt(padLen);
      int held = headFill == 9 && buffering ? payloadPos : 0;
      out.writeInt(held);
      out.write(payload, 0, held);
      out.writeInt(blockLen);
      out.write(block, 0, blockLen);
      out.writeInt(blockHole);
      out.writeBoolean(inBlock);
      out.writeInt(blockStream);
      out.writeInt(blockPromised);
      out.writeBoolean(blockEndStream);
      out.writeLong(blockTs);
      out.writeBoolean(blockTooBig);
    }

    void read(java.io.DataInput in) throws java.io.IOException {
      hpack = HpackDecoder.read(in);
      prefaceLeft = in.readInt();
      synced = in.readBoolean();
      hunting = in.readBoolean();
      in.readFully(head);
      headFill = in.readInt();
      frameTs = in.readLong();
      type = in.readInt();
      flags = in.readInt();
      streamId = in.readInt();
      length = in.readInt();
      payloadPos = in.readInt();
      buffering = in.readBoolean();
      payloadHole = in.readInt();
      padLen = in.readInt();
      int held = in.readInt();
      payload = new byte[Math.max(256, buffering && headFill == 9 ? length : held)];
      in.readFully(payload, 0, held);
      blockLen = in.readInt();
      block = new byte[Math.max(1024, blockLen)];
      in.readFully(block, 0, blockLen);
      blockHole = in.readInt();
      inBlock = in.readBoolean();
      blockStream = in.readInt();
      blockPromised = in.readInt();
      blockEndStream = in.readBoolean();
      blockTs = in.readLong();
      blockTooBig = in.readBoolean();
    }

    void bytes(byte[] b, int off, int len, long ts) {
      if (hunting) {
        if (!startsWithFrames(b, off, len)) {
          problem(Http2Problem.SKIPPED_TO_FRAME_START);
          return;
        }
        hunting = false;
      }
      int i = off;
      int end = off + len;
      while (i < end && synced) {
        if (prefaceLeft > 0) {
          int at = PREFACE.length - prefaceLeft;
          if (b[i] != PREFACE[at]) {
            problem(Http2Problem.BAD_PREFACE);
            synced = false;
            return;
          }
          prefaceLeft--;
          i++;
        } else if (headFill < 9) {
          if (headFill == 0) {
            frameTs = ts;
          }
          int n = Math.min(9 - headFill, end - i);
          System.arraycopy(b, i, head, headFill, n);
          headFill += n;
          i += n;
          if (headFill == 9) {
            startFrame(ts);
          }
        } else {
          int n = Math.min(length - payloadPos, end - i);
          payloadBytes(b, i, n);
          i += n;
          if (payloadPos == length) {
            endFrame(ts);
          }
        }
      }
    }

    void gap(long missing, long ts) {
      if (!synced || hunting) {
        return;
      }
      if (prefaceLeft > 0 || headFill < 9 || missing > length - payloadPos) {
        problem(Http2Problem.FRAMING_LOST);
        synced = false;
        if (inBlock) {
          markBlockStream();
        }
        return;
      }
      payloadHole((int) missing);
      if (payloadPos == length) {
        endFrame(ts);
      }
    }

    private void startFrame(long ts) {
      length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
      type = head[3] & 0xff;
      flags = head[4] & 0xff;
      streamId = ((head[5] & 0x7f) << 24) | ((head[6] & 0xff) << 16) | ((head[7] & 0xff) << 8) | (head[8] & 0xff);
      payloadPos = 0;
      payloadHole = -1;
      padLen = 0;
      buffering = type != DATA && length <= MAX_BUFFERED_FRAME;
      if (type != DATA && !buffering) {
        problem(Http2Problem.FRAME_TOO_LARGE);
      }
      if (buffering && payload.length < length) {
        payload = new byte[Math.max(length, payload.length * 2)];
      }
      if (length == 0) {
        endFrame(ts);
      }
    }

    private void payloadBytes(byte[] b, int off, int n) {
      if (type == DATA) {
        dataBytes(b, off, n);
      } else if (buffering) {
        System.arraycopy(b, off, payload, payloadPos, n);
      }
      payloadPos += n;
    }

    private void payloadHole(int n) {
      if (type == DATA) {
        dataHole(n);
      } else if (buffering) {
        if (payloadHole < 0) {
          payloadHole = payloadPos;
        }
      }
      payloadPos += n;
    }

    private void dataBytes(byte[] b, int off, int n) {
      int i = off;
      int pos = payloadPos;
      int end = off + n;
      if ((flags & FLAG_PADDED) != 0 && pos == 0 && n > 0) {
        padLen = b[i] & 0xff;
        i++;
        pos++;
      }
      int dataStart = (flags & FLAG_PADDED) != 0 ? 1 : 0;
      int dataEnd = length - padLen;
      int from = Math.max(pos, dataStart);
      int to = Math.min(pos + (end - i), dataEnd);
      if (to > from) {
        StreamState s = streams.get(streamId);
        if (s != null) {
          int at = i + (from - pos);
          if (isClient) {
            s.requestBody += to - from;
            if (s.grpc) {
              s.requestMessages.bytes(b, at, to - from);
            }
          } else {
            s.responseBody += to - from;
            if (s.grpc) {
              s.responseMessages.bytes(b, at, to - from);
            }
          }
        }
      }
    }

    private void dataHole(int n) {
      int dataStart = (flags & FLAG_PADDED) != 0 ? 1 : 0;
      int from = Math.max(payloadPos, dataStart);
      int to = Math.min(payloadPos + n, length - padLen);
      StreamState s = streams.get(streamId);
      if (s != null && to > from) {
        if (isClient) {
          s.requestBody += to - from;
          if (s.grpc) {
            s.requestMessages.hole(to - from);
          }
        } else {
          s.responseBody += to - from;
          if (s.grpc) {
            s.responseMessages.hole(to - from);
          }
        }
      }
    }

    private void endFrame(long ts) {
      headFill = 0;
      if (type < frameCounts.length) {
        frameCounts[type]++;
      }
      if (inBlock && type != CONTINUATION) {
        problem(Http2Problem.CONTINUATION_EXPECTED);
        inBlock = false;
        hpack.forget();
        markBlockStream();
      }
      switch (type) {
        case DATA -> dataEnd(ts);
        case HEADERS -> headers();
        case CONTINUATION -> continuation(ts);
        case RST_STREAM -> rstStream();
        case SETTINGS -> settings();
        case PUSH_PROMISE -> pushPromise();
        case GOAWAY -> goaway();
        default -> { } // PRIORITY, PING, WINDOW_UPDATE and unknown types carry nothing for the rows
      }
    }

    private void dataEnd(long ts) {
      if ((flags & FLAG_END_STREAM) != 0) {
        StreamState s = streams.get(streamId);
        if (s != null) {
          endStream(s, ts);
        }
      }
    }

    private void headers() {
      if (!buffering) {
        hpack.forget();
        return;
      }
      int at = 0;
      int pad = 0;
      if ((flags & FLAG_PADDED) != 0) {
        pad = length > 0 ? payload[0] & 0xff : 0;
        at++;
      }
      if ((flags & FLAG_PRIORITY) != 0) {
        at += 5;
      }
      if (at + pad > length) {
        problem(Http2Problem.BAD_FRAME);
        hpack.forget();
        return;
      }
      startBlock(streamId, 0, (flags & FLAG_END_STREAM) != 0, at, length - pad);
    }

    private void pushPromise() {
      if (!buffering) {
        hpack.forget();
        return;
      }
      int at = 0;
      int pad = 0;
      if ((flags & FLAG_PADDED) != 0) {
        pad = length > 0 ? payload[0] & 0xff : 0;
        at++;
      }
      if (at + 4 + pad > length) {
        problem(Http2Problem.BAD_FRAME);
        hpack.forget();
        return;
      }
      int promised = int31(payload, at);
      startBlock(streamId, promised, false, at + 4, length - pad);
    }

    private void startBlock(int stream, int promised, boolean endStream, int from, int to) {
      inBlock = true;
      blockStream = stream;
      blockPromised = promised;
      blockEndStream = endStream;
      blockTs = frameTs;
      blockLen = 0;
      blockHole = -1;
      blockTooBig = false;
      appendFragment(from, to);
      if ((flags & FLAG_END_HEADERS) != 0) {
        finishBlock(frameTs);
      }
    }

    private void continuation(long ts) {
      if (!inBlock || streamId != blockStream) {
        problem(Http2Problem.BAD_FRAME);
        hpack.forget(); // a block not decoded may have added entries
        return;
      }
      if (!buffering) {
        blockTooBig = true;
      } else {
        appendFragment(0, length);
      }
      if ((flags & FLAG_END_HEADERS) != 0) {
        finishBlock(ts);
      }
    }

    private void appendFragment(int from, int to) {
      int n = to - from;
      if (blockLen + n > MAX_HEADER_BLOCK) {
        blockTooBig = true;
        return;
      }
      if (block.length < blockLen + n) {
        block = java.util.Arrays.copyOf(block, Math.max(blockLen + n, block.length * 2));
      }
      System.arraycopy(payload, from, block, blockLen, n);
      if (blockHole < 0 && payloadHole >= 0 && payloadHole < to) {
        blockHole = blockLen + Math.max(0, payloadHole - from);
      }
      blockLen += n;
    }

    private void finishBlock(long ts) {
      inBlock = false;
      java.util.Arrays.fill(fields, null);
      unknownFields = 0;
      boolean whole = blockHole < 0 && !blockTooBig;
      if (blockTooBig) {
        hpack.forget();
      } else if (!hpack.decode(block, 0, whole ? blockLen : blockHole, whole, this)) {
        problem(Http2Problem.HPACK_ERROR);
        whole = false;
      }
      if (!whole && (blockHole >= 0 || blockTooBig)) {
        problem(Http2Problem.HEADER_BLOCK_CUT);
      }
      boolean incomplete = !whole || unknownFields > 0;
      if (blockPromised != 0) {
        promised(incomplete);
      } else if (isClient) {
        requestHeaders(incomplete, ts);
      } else {
        responseHeaders(incomplete, ts);
      }
    }

    private void requestHeaders(boolean incomplete, long ts) {
      StreamState s = streams.get(blockStream);
      if (s == null) {
        if (blockStream <= highestClientStream || (blockStream & 1) == 0) {
          return; // trailers of a stream already reported, or a malformed id
        }
        if (midStream && !hasRequestPseudoHeader()) {
          return; // mid-connection: trailers of a stream whose request was before the start
        }
        highestClientStream = blockStream;
        s = open(blockStream);
        if (s == null) {
          return;
        }
        s.requestNs = blockTs;
        s.responseMayBeSkipped = server.hunting;
        applyRequest(s);
      }
      s.incomplete |= incomplete;
      if (blockEndStream) {
        endStream(s, ts);
      }
    }

    private void applyRequest(StreamState s) {
      s.method = field(Field.METHOD, s.method);
      s.scheme = field(Field.SCHEME, s.scheme);
      s.authority = field(Field.AUTHORITY, field(Field.HOST, s.authority));
      s.path = field(Field.PATH, s.path);
      s.requestContentType = field(Field.CONTENT_TYPE, s.requestContentType);
      s.userAgent = field(Field.USER_AGENT, s.userAgent);
      s.grpc = Grpc.isGrpcContentType(s.requestContentType);
      String timeout = fields[Field.GRPC_TIMEOUT.ordinal()];
      if (timeout != null) {
        s.grpcTimeoutNs = Grpc.timeoutNs(timeout);
      }
    }

    private void promised(boolean incomplete) {
      if (streams.containsKey(blockPromised) || blockPromised <= highestPushStream) {
        return;
      }
      highestPushStream = blockPromised;
      StreamState s = open(blockPromised);
      if (s == null) {
        return;
      }
      s.pushed = true;
      s.requestEnded = true;
      s.requestNs = blockTs;
      s.incomplete = incomplete;
      applyRequest(s);
    }

    private void responseHeaders(boolean incomplete, long ts) {
      StreamState s = streams.get(blockStream);
      if (s == null && midStream) {
        return; // a response to a request before the start: not a row with half its fields
      }
      if (s == null) {
        boolean unseen = (blockStream & 1) == 1 ? blockStream > highestClientStream : blockStream > highestPushStream;
        if (!unseen) {
          return;
        }
        if ((blockStream & 1) == 1) {
          highestClientStream = blockStream;
        } else {
          highestPushStream = blockStream;
        }
        s = open(blockStream);
        if (s == null) {
          return;
        }
        s.unsolicited = true;
        s.incomplete = true;
      }
      s.incomplete |= incomplete;
      String status = fields[Field.STATUS.ordinal()];
      if (!s.responseHeadersSeen) {
        int code = statusCode(status);
        boolean informational = code >= 100 && code < 200;
        if (!informational) {
          s.responseHeadersSeen = true;
          // Capture times of the two directions can be out of order by a microsecond on loopback: a response
          // never starts before its request.
          s.responseNs = Math.max(blockTs, s.requestNs);
          s.statusCode = code;
          s.responseContentType = field(Field.CONTENT_TYPE, s.responseContentType);
          s.grpc |= Grpc.isGrpcContentType(s.responseContentType);
          grpcTrailers(s); // a trailers-only response carries grpc-status in its only block
        }
      } else {
        grpcTrailers(s);
      }
      if (blockEndStream) {
        endStream(s, ts);
      }
    }

    private void grpcTrailers(StreamState s) {
      String gs = fields[Field.GRPC_STATUS.ordinal()];
      if (gs != null) {
        int code = statusCode(gs); // 0 also when not 1 to 3 digits: only "0" itself is OK
        s.grpcStatus = code != 0 || gs.equals("0") ? code : -1;
        s.grpcMessage = Grpc.decodeMessage(fields[Field.GRPC_MESSAGE.ordinal()]);
      }
    }

    private void markBlockStream() {
      StreamState s = streams.get(blockPromised != 0 ? blockPromised : blockStream);
      if (s != null) {
        s.incomplete = true;
      }
    }

    private void endStream(StreamState s, long ts) {
      if (isClient) {
        s.requestEnded = true;
      } else {
        s.responseEnded = true;
        s.responseEndNs = Math.max(ts, s.responseNs); // nor ends before it started (out-of-order capture times)
      }
      if (s.requestEnded && s.responseEnded) {
        emit(s, s.unsolicited ? Http2StreamRow.STATUS_UNSOLICITED : Http2StreamRow.STATUS_ANSWERED, 0);
      }
    }

    private void rstStream() {
      if (!buffering || length != 4) {
        problem(Http2Problem.BAD_FRAME);
        return;
      }
      StreamState s = streams.get(streamId);
      if (s != null) {
        long code = Integer.toUnsignedLong(int32(payload, 0));
        emit(s, s.responseEnded ? Http2StreamRow.STATUS_ANSWERED : Http2StreamRow.STATUS_RESET, code);
      }
    }

    private void settings() {
      if ((flags & FLAG_ACK) != 0 || !buffering) {
        return;
      }
      if (length % 6 != 0) {
        problem(Http2Problem.BAD_FRAME);
        return;
      }
      applySettings(isClient, payload, length);
    }

    private void goaway() {
      if (!buffering || length < 8) {
        problem(Http2Problem.BAD_FRAME);
        return;
      }
      int last = int31(payload, 0);
      long code = Integer.toUnsignedLong(int32(payload, 4));
      // Streams initiated by the receiver of this GOAWAY above `last` were not processed by its sender.
      boolean receiverIsClient = !isClient;
      List<StreamState> cut = new ArrayList<>();
      for (StreamState s : streams.values()) {
        boolean initiatedByReceiver = ((s.id & 1) == 1) == receiverIsClient;
        if (initiatedByReceiver && s.id > last) {
          cut.add(s);
        }
      }
      for (StreamState s : cut) {
        emit(s, Http2StreamRow.STATUS_GOAWAY, code);
      }
    }

    // HeaderSink: keep the first value of each field the rows use
    @Override
    public void header(String name, String value) {
      Field f = Field.of(name);
      if (f != null && fields[f.ordinal()] == null) {
        fields[f.ordinal()] = value;
      }
    }

    @Override
    public void unknown() {
      unknownFields++;
    }

    private boolean hasRequestPseudoHeader() {
      for (Field f : Field.values()) {
        if (f.request && fields[f.ordinal()] != null) {
          return true;
        }
      }
      return false;
    }

    private String field(Field f, String otherwise) {
      String v = fields[f.ordinal()];
      return v != null ? v : otherwise;
    }
  }

  /** The header fields the rows use. */
  private enum Field {
    METHOD(true), SCHEME(true), AUTHORITY(true), HOST(false), PATH(true), STATUS(false), CONTENT_TYPE(false),
    USER_AGENT(false), GRPC_STATUS(false), GRPC_MESSAGE(false), GRPC_TIMEOUT(false);

    /** A request pseudo-header: only a request's header block has it. */
    final boolean request;

    Field(boolean request) {
      this.request = request;
    }

    static Field of(String name) {
      return switch (name) {
        case ":method" -> METHOD;
        case ":scheme" -> SCHEME;
        case ":authority" -> AUTHORITY;
        case "host" -> HOST;
        case ":path" -> PATH;
        case ":status" -> STATUS;
        case "content-type" -> CONTENT_TYPE;
        case "user-agent" -> USER_AGENT;
        case "grpc-status" -> GRPC_STATUS;
        case "grpc-message" -> GRPC_MESSAGE;
        case "grpc-timeout" -> GRPC_TIMEOUT;
        default -> null;
      };
    }
  }

  private static int statusCode(String s) {
    if (s == null || s.isEmpty() || s.length() > 3) {
      return 0;
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int int32(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }

  private static int int31(byte[] b, int at) {
    return int32(b, at) & 0x7fffffff;
  }
}
