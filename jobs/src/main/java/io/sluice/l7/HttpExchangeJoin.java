package io.sluice.l7;

import io.sluice.l7.reassembly.StateIO;
import io.sluice.l7.reassembly.StreamConsumer;
import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.http.HttpHead;
import io.sluice.decode.l7.http.HttpListener;
import io.sluice.decode.l7.http.HttpStreamParser;
import io.sluice.decode.l7.http2.Http2Connection;
import io.sluice.decode.l7.http2.Http2StreamRow;
import java.util.ArrayDeque;

/**
 * The HTTP/1.x side of one TCP connection: a parser per direction and the FIFO that pairs requests with
 * final responses, as HTTP/1.1 requires (pipelining included). 1xx responses other than 101 answer no
 * request; 101 turns the connection into a tunnel that is no longer parsed, unless it accepts the request's
 * {@code Upgrade: h2c}: then the rest of the connection is HTTP/2, and the request is its stream 1, reported as an
 * HTTP/2 row with the response from the frames.
 */
final class HttpExchangeJoin implements TcpApp, HttpListener {
  static final int MAX_PIPELINE = 64;

  private static final class Request {
    String method;
    String path;
    String version;
    String host;
    String userAgent;
    String contentType;
    long startNs;
    long bodyBytes;
    /** The capture cut the request's framing (see {@link HttpStreamParser#onHole}). */
    boolean incomplete;
    /** It asked to upgrade to h2c. */
    boolean h2c;
    /** Its HTTP2-Settings (base64url), applied when the upgrade is accepted. */
    String h2cSettings = "";
  }

  private final byte[] client;
  private final int clientPort;
  private final byte[] server;
  private final int serverPort;
  private final L7Summary summary;
  private final L7Sink sink;
  private final long timeoutNs;
  private final HttpStreamParser requests;
  private final HttpStreamParser responses;
  private final ArrayDeque<Request> pending = new ArrayDeque<>();
  /** The request whose body the client is sending now. */
  private Request sending;
  /** The final response in progress, and its request (null when unsolicited). */
  private boolean responseOpen;
  private boolean responseInterim;
  private Request answering;
  private int status;
  private String responseContentType;
  private long responseStartNs;
  private final StreamConsumer fromClient;
  private final StreamConsumer fromServer;
  /** The connection's HTTP/2 after an accepted h2c upgrade; null before or without one. */
  private Http2Connection h2c;

  HttpExchangeJoin(byte[] client, int clientPort, byte[] server, int serverPort, long timeoutNs, L7Summary summary,
      L7Sink sink) {
    this.client = client;
    this.clientPort = clientPort;
    this.server = server;
    this.serverPort = serverPort;
    this.timeoutNs = timeoutNs;
    this.summary = summary;
    this.sink = sink;
    this.requests = new HttpStreamParser(true, this, summary.problems);
    this.responses = new HttpStreamParser(false, this, summary.problems);
    this.fromClient = consumerOf(requests);
    this.fromServer = consumerOf(responses);
  }

  private static StreamConsumer consumerOf(HttpStreamParser parser) {
    return new StreamConsumer() {
      @Override
      public void onBytes(byte[] b, int off, int len, long ts) {
        parser.onBytes(b, off, len, ts);
      }

      @Override
      public void onGap(long missing, long ts) {
        parser.onGap(missing, ts);
      }

      @Override
      public void onHole(long missing, long ts) {
        parser.onHole(missing, ts);
      }
    };
  }

  @Override
  public StreamConsumer consumer(boolean client) {
    return client ? fromClient : fromServer;
  }

  @Override
  public void onRequestHead(HttpHead head, long firstByteNs) {
    summary.httpRequests++;
    if (pending.size() >= MAX_PIPELINE) {
      summary.problems.add(L7Problem.HTTP_PIPELINE_TOO_DEEP);
      sending = null;
      return;
    }
    Request r = new Request();
    r.method = head.method;
    r.path = head.path;
    r.version = head.version;
    r.host = head.host;
    r.userAgent = head.userAgent;
    r.contentType = head.contentType;
    r.startNs = firstByteNs;
    r.h2c = head.upgradeH2c;
    r.h2cSettings = head.http2Settings;
    pending.addLast(r);
    sending = r;
  }

  @Override
  public ResponseBody onResponseHead(HttpHead head, long firstByteNs) {
    summary.httpResponses++;
    int code = head.statusCode;
    if (code >= 100 && code < 200 && code != 101) {
      summary.httpInterimResponses++;
      responseInterim = true;
      return ResponseBody.BY_HEADERS;
    }
    responseInterim = false;
    responseOpen = true;
    answering = pending.pollFirst();
    status = code;
    responseContentType = head.contentType;
    responseStartNs = firstByteNs;
    if (code == 101) {
      if (head.upgradeH2c && answering != null && answering.h2c && h2c == null) {
        upgradeToH2c(answering);
        answering = null;
        responseOpen = false;
      }
      requests.switchToTunnel();
      return ResponseBody.TUNNEL;
    }
    if (answering != null && "HEAD".equals(answering.method)) {
      return ResponseBody.NONE;
    }
    if (answering != null && "CONNECT".equals(answering.method) && code >= 200 && code < 300) {
      requests.switchToTunnel();
      return ResponseBody.TUNNEL;
    }
    return ResponseBody.BY_HEADERS;
  }

  @Override
  public void onMessageEnd(boolean request, long bodyBytes, boolean complete, long ns) {
    if (request) {
      if (sending != null) {
        sending.bodyBytes = bodyBytes;
        sending.incomplete = !complete;
        sending = null;
      }
      return;
    }
    if (responseInterim) {
      responseInterim = false;
      return;
    }
    closeResponse(bodyBytes, complete);
  }

  @Override
  public void onLostBytes(boolean request, boolean betweenMessages, long ns) {
    if (!request && betweenMessages && !pending.isEmpty()) {
      summary.httpLost++;
      emit(pending.pollFirst(), 0, 0, 0, "", RowStatus.LOST, false);
    }
  }

  private void closeResponse(long bodyBytes, boolean complete) {
    if (!responseOpen) {
      return;
    }
    responseOpen = false;
    Request r = answering;
    answering = null;
    if (r == null) {
      summary.httpUnsolicited++;
      sink.http(new HttpRow(responseStartNs, client, clientPort, server, serverPort, "", "", "", "", status, 0,
          bodyBytes, responseContentType, "", responseStartNs, 0, RowStatus.UNSOLICITED, !complete));
      return;
    }
    summary.httpPairs++;
    emit(r, status, bodyBytes, responseStartNs, responseContentType, RowStatus.ANSWERED, !complete);
  }

  private void emit(Request r, int code, long responseBody, long responseNs, String responseType, String rowStatus,
      boolean responseIncomplete) {
    String type = responseType.isEmpty() ? r.contentType : responseType;
    sink.http(new HttpRow(r.startNs, client, clientPort, server, serverPort, r.method, r.host, r.path, r.version,
        code, r.bodyBytes, responseBody, type, r.userAgent, responseNs,
        responseNs != 0 ? responseNs - r.startNs : 0, rowStatus, r.incomplete || responseIncomplete));
  }

  private void upgradeToH2c(Request r) {
    h2c = new Http2Connection(true, this::h2cStream);
    h2c.upgradeSettings(r.h2cSettings);
    h2c.upgradedRequest(r.method, r.host, r.path, r.contentType, r.userAgent, r.bodyBytes, r.startNs, r.incomplete);
    tunnelToH2c();
  }

  private void h2cStream(Http2StreamRow s) {
    sink.http2(new Http2Row(client, clientPort, server, serverPort, s));
  }

  private void tunnelToH2c() {
    requests.tunnelTo(h2cDirection(true));
    responses.tunnelTo(h2cDirection(false));
  }

  private HttpStreamParser.Tunnel h2cDirection(boolean fromClient) {
    return new HttpStreamParser.Tunnel() {
      @Override
      public void bytes(byte[] b, int off, int len, long ns) {
        h2c.onBytes(fromClient, b, off, len, ns);
      }

      @Override
      public void gap(long missing, long ns) {
        h2c.onGap(fromClient, missing, ns);
      }
    };
  }

  /** When the oldest pending request times out; Long.MAX_VALUE when none is pending. */
  long nextDeadline() {
    return pending.isEmpty() ? Long.MAX_VALUE : pending.peekFirst().startNs + timeoutNs;
  }

  @Override
  public void advanceWatermark(long watermarkNs) {
    while (!pending.isEmpty() && pending.peekFirst().startNs <= watermarkNs - timeoutNs) {
      Request r = pending.pollFirst();
      if (r == sending) {
        sending = null;
      }
      summary.httpTimeouts++;
      emit(r, 0, 0, 0, "", RowStatus.TIMEOUT, false);
    }
  }

  void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeInt(pending.size());
    int sendingAt = sending == null ? -1 : sending == answering ? -2 : -3;
    int i = 0;
    for (Request r : pending) {
      writeRequest(out, r);
      if (r == sending) {
        sendingAt = i;
      }
      i++;
    }
    out.writeInt(sendingAt == -3 ? -1 : sendingAt); // a request neither pending nor answered: its body is not needed
    out.writeBoolean(answering != null);
    if (answering != null) {
      writeRequest(out, answering);
    }
    out.writeBoolean(responseOpen);
    out.writeBoolean(responseInterim);
    out.writeInt(status);
    StateIO.writeString(out, responseContentType);
    out.writeLong(responseStartNs);
    requests.write(out);
    responses.write(out);
    out.writeBoolean(h2c != null);
    if (h2c != null) {
      h2c.write(out);
    }
  }

  void read(java.io.DataInput in) throws java.io.IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      pending.addLast(readRequest(in));
    }
    int sendingAt = in.readInt();
    answering = in.readBoolean() ? readRequest(in) : null;
    sending = sendingAt == -2 ? answering : sendingAt >= 0 ? pending.stream().skip(sendingAt).findFirst().orElse(null) : null;
    responseOpen = in.readBoolean();
    responseInterim = in.readBoolean();
    status = in.readInt();
    responseContentType = StateIO.readString(in);
    responseStartNs = in.readLong();
    requests.read(in);
    responses.read(in);
    if (in.readBoolean()) {
      h2c = Http2Connection.read(in, this::h2cStream);
      tunnelToH2c();
    }
  }

  private static void writeRequest(java.io.DataOutput out, Request r) throws java.io.IOException {
    StateIO.writeString(out, r.method);
    StateIO.writeString(out, r.path);
    StateIO.writeString(out, r.version);
    StateIO.writeString(out, r.host);
    StateIO.writeString(out, r.userAgent);
    StateIO.writeString(out, r.contentType);
    out.writeLong(r.startNs);
    out.writeLong(r.bodyBytes);
    out.writeBoolean(r.incomplete);
    out.writeBoolean(r.h2c);
    StateIO.writeString(out, r.h2cSettings);
  }

  private static Request readRequest(java.io.DataInput in) throws java.io.IOException {
    Request r = new Request();
    r.method = StateIO.readString(in);
    r.path = StateIO.readString(in);
    r.version = StateIO.readString(in);
    r.host = StateIO.readString(in);
    r.userAgent = StateIO.readString(in);
    r.contentType = StateIO.readString(in);
    r.startNs = in.readLong();
    r.bodyBytes = in.readLong();
    r.incomplete = in.readBoolean();
    r.h2c = in.readBoolean();
    r.h2cSettings = StateIO.readString(in);
    return r;
  }

  @Override
  public void onClose(long ns) {
    responses.onClose(ns);
    requests.onClose(ns);
    closeResponse(0, true);
    if (h2c != null) {
      h2c.close(ns);
    }
    while (!pending.isEmpty()) {
      summary.httpTimeouts++;
      emit(pending.pollFirst(), 0, 0, 0, "", RowStatus.TIMEOUT, false);
    }
  }
}
