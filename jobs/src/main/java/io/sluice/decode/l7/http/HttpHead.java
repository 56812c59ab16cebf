package io.sluice.decode.l7.http;

/** The start line and the headers that matter of one HTTP/1.x message, filled by {@link HttpStreamParser}. */
public final class HttpHead {
  public static final int MAX_PATH = 2048;
  public static final int MAX_HOST = 256;
  public static final int MAX_USER_AGENT = 512;
  public static final int MAX_CONTENT_TYPE = 256;
  /** HTTP2-Settings: a SETTINGS payload of up to 6 settings, base64url (RFC 7540 3.2.1); longer is cut. */
  public static final int MAX_HTTP2_SETTINGS = 64;

  public boolean request;
  public String method = "";
  /** The request target as sent, cut at {@link #MAX_PATH} characters. */
  public String path = "";
  public String version = "";
  public int statusCode;
  public String host = "";
  public String userAgent = "";
  public String contentType = "";
  /** -1 when absent or invalid. */
  public long contentLength = -1;
  public boolean chunked;
  public boolean connectionClose;
  public boolean upgrade;
  /** The Upgrade header names h2c: HTTP/2 over cleartext (RFC 7540 3.2). */
  public boolean upgradeH2c;
  /** The request's HTTP2-Settings header (base64url), "" when absent. */
  public String http2Settings = "";

  void reset(boolean isRequest) {
    request = isRequest;
    method = path = version = host = userAgent = contentType = http2Settings = "";
    statusCode = 0;
    contentLength = -1;
    chunked = connectionClose = upgrade = upgradeH2c = false;
  }
}
