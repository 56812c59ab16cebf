package io.sluice.decode.l7.http2;

/**
 * One HTTP/2 stream: a request and its response, or what the capture showed of them.
 *
 * @param requestNs first request HEADERS (PUSH_PROMISE for a pushed stream); 0 when not seen
 * @param responseTimeNs first response HEADERS with a final (non-1xx) status; 0 when none
 * @param responseEndNs the frame that ended the response (END_STREAM); 0 when the response did not end
 * @param status one of the {@code STATUS_*} constants
 * @param errorCode the RST_STREAM or GOAWAY error code that ended the stream; 0 otherwise
 * @param incomplete some header field could not be recovered: it referred to a dynamic table the capture
 *     did not see filled (mid-connection start, an earlier block not captured whole), or the block itself was
 *     cut. The fields present are still right; absent ones are unknown, not empty.
 * @param grpcStatus from the trailers (or a trailers-only response); -1 when none
 * @param grpcTimeoutNs the request's grpc-timeout; 0 when none
 */
public record Http2StreamRow(
    int streamId,
    String method,
    String scheme,
    String host,
    String path,
    int statusCode,
    String contentType,
    String userAgent,
    long requestBodySize,
    long responseBodySize,
    long requestNs,
    long responseTimeNs,
    long responseEndNs,
    String status,
    long errorCode,
    boolean incomplete,
    boolean pushed,
    boolean grpc,
    String grpcService,
    String grpcMethod,
    int grpcStatus,
    String grpcMessage,
    long grpcRequestMessages,
    long grpcResponseMessages,
    long grpcTimeoutNs) {

  /** The response ended (END_STREAM). */
  public static final String STATUS_ANSWERED = "answered";
  /** RST_STREAM before the response ended. */
  public static final String STATUS_RESET = "reset";
  /** The server's GOAWAY said it did not process this stream (id above the last stream id). */
  public static final String STATUS_GOAWAY = "goaway";
  /** The connection ended (or went silent) before the response did. */
  public static final String STATUS_TIMEOUT = "timeout";
  /** The response's direction lost its framing (a capture hole across a frame header). */
  public static final String STATUS_LOST = "lost";
  /** A response on a stream whose request the capture did not hold (mid-connection start). */
  public static final String STATUS_UNSOLICITED = "unsolicited";

  /** Response first HEADERS minus request first HEADERS; 0 unless both were seen. */
  public long latencyNs() {
    return requestNs != 0 && responseTimeNs != 0 ? responseTimeNs - requestNs : 0;
  }

  /** End of the response minus the request's first HEADERS; 0 unless both were seen. */
  public long durationNs() {
    return requestNs != 0 && responseEndNs != 0 ? responseEndNs - requestNs : 0;
  }
}
