package io.sluice.decode.l7.http2;

/** What one connection knows so far about one stream. */
final class StreamState {
  final int id;
  String method = "";
  String scheme = "";
  String authority = "";
  String path = "";
  int statusCode;
  String requestContentType = "";
  String responseContentType = "";
  String userAgent = "";
  long requestBody;
  long responseBody;
  long requestNs;
  long responseNs;
  long responseEndNs;
  boolean requestEnded;
  boolean responseEnded;
  /** Response HEADERS with a final status seen: later server HEADERS are trailers. */
  boolean responseHeadersSeen;
  boolean incomplete;
  boolean pushed;
  boolean unsolicited;
  boolean grpc;
  /** Opened while the server's side was still looking for a frame start (mid-connection): until its response
   * HEADERS are seen, its response may have been skipped. */
  boolean responseMayBeSkipped;
  int grpcStatus = -1;
  String grpcMessage = "";
  long grpcTimeoutNs;
  final GrpcFramer requestMessages = new GrpcFramer();
  final GrpcFramer responseMessages = new GrpcFramer();

  StreamState(int id) {
    this.id = id;
  }

  void write(java.io.DataOutput out) throws java.io.IOException {
    out.writeInt(id);
    for (String v : new String[] {method, scheme, authority, path, requestContentType, responseContentType,
        userAgent, grpcMessage}) {
      Latin1.write(out, v);
    }
    out.writeInt(statusCode);
    for (long v : new long[] {requestBody, responseBody, requestNs, responseNs, responseEndNs, grpcTimeoutNs}) {
      out.writeLong(v);
    }
    for (boolean v : new boolean[] {requestEnded, responseEnded, responseHeadersSeen, incomplete, pushed,
        unsolicited, grpc, responseMayBeSkipped}) {
      out.writeBoolean(v);
    }
    out.writeInt(grpcStatus);
    requestMessages.write(out);
    responseMessages.write(out);
  }

  static StreamState read(java.io.DataInput in) throws java.io.IOException {
    StreamState s = new StreamState(in.readInt());
    s.method = Latin1.read(in);
    s.scheme = Latin1.read(in);
    s.authority = Latin1.read(in);
    s.path = Latin1.read(in);
    s.requestContentType = Latin1.read(in);
    s.responseContentType = Latin1.read(in);
    s.userAgent = Latin1.read(in);
    s.grpcMessage = Latin1.read(in);
    s.statusCode = in.readInt();
    s.requestBody = in.readLong();
    s.responseBody = in.readLong();
    s.requestNs = in.readLong();
    s.responseNs = in.readLong();
    s.responseEndNs = in.readLong();
    s.grpcTimeoutNs = in.readLong();
    s.requestEnded = in.readBoolean();
    s.responseEnded = in.readBoolean();
    s.responseHeadersSeen = in.readBoolean();
    s.incomplete = in.readBoolean();
    s.pushed = in.readBoolean();
    s.unsolicited = in.readBoolean();
    s.grpc = in.readBoolean();
    s.responseMayBeSkipped = in.readBoolean();
    s.grpcStatus = in.readInt();
    s.requestMessages.read(in);
    s.responseMessages.read(in);
    return s;
  }

  Http2StreamRow row(String status, long errorCode) {
    String contentType = responseContentType.isEmpty() ? requestContentType : responseContentType;
    return new Http2StreamRow(id, method, scheme, authority, path, statusCode, contentType, userAgent,
        requestBody, responseBody, requestNs, responseNs, responseEndNs, status, errorCode, incomplete, pushed,
        grpc, grpc ? Grpc.service(path) : "", grpc ? Grpc.method(path) : "", grpcStatus, grpcMessage,
        grpc ? requestMessages.messages : 0, grpc ? responseMessages.messages : 0, grpcTimeoutNs);
  }

  /** Counts gRPC's length-prefixed messages (1-byte flag, 4-byte length) in one direction's DATA. */
  static final class GrpcFramer {
    long messages;
    private int prefixFill;
    private long length;
    private long remaining;

    /** A hole hid where messages start: {@link #messages} is then a lower bound and counting stops. */
    boolean lost;

    void bytes(byte[] b, int off, int len) {
      if (lost) {
        return;
      }
      int i = off;
      int end = off + len;
      while (i < end) {
        if (remaining > 0) {
          int n = (int) Math.min(remaining, end - i);
          remaining -= n;
          i += n;
          continue;
        }
        if (prefixFill > 0) {
          length = (length << 8) | (b[i] & 0xff);
        }
        prefixFill++;
        i++;
        if (prefixFill == 5) {
          messages++;
          remaining = length;
          prefixFill = 0;
          length = 0;
        }
      }
    }

    void write(java.io.DataOutput out) throws java.io.IOException {
      out.writeLong(messages);
      out.writeInt(prefixFill);
      out.writeLong(length);
      out.writeLong(remaining);
      out.writeBoolean(lost);
    }

    void read(java.io.DataInput in) throws java.io.IOException {
      messages = in.readLong();
      prefixFill = in.readInt();
      length = in.readLong();
      remaining = in.readLong();
      lost = in.readBoolean();
    }

    /** A hole of n bytes: inside a message it is skipped; otherwise the count can no longer be trusted. */
    boolean hole(long n) {
      if (prefixFill == 0 && n <= remaining) {
        remaining -= n;
        return true;
      }
      lost = true;
      return false;
    }
  }
}
