package io.sluice.decode.l7.tls;

/**
 * One TLS handshake as the capture showed it in clear.
 *
 * @param clientHelloNs the record that completed the (first) ClientHello; 0 when not seen
 * @param serverHelloNs the record that completed the ServerHello (after a HelloRetryRequest, the second one);
 *     0 when none
 * @param clientHello null when the capture did not hold it
 * @param serverHello null when none was seen
 * @param helloRetry the server asked for another ClientHello (HelloRetryRequest)
 * @param resumed the server resumed a session: TLS 1.3 accepted a pre-shared key; earlier versions echoed the
 *     client's non-empty session id
 * @param alertLevel the first alert seen in clear (1 warning, 2 fatal); 0 when none
 * @param alertDescription its description code (RFC 8446 6); -1 when none
 * @param alertFromServer which side sent it
 * @param status one of the {@code STATUS_*} constants
 */
public record TlsHandshakeRow(
    long clientHelloNs,
    long serverHelloNs,
    TlsClientHello clientHello,
    TlsServerHello serverHello,
    boolean helloRetry,
    boolean resumed,
    int alertLevel,
    int alertDescription,
    boolean alertFromServer,
    String status) {

  /** The server answered with a ServerHello and no fatal alert was seen in clear. */
  public static final String STATUS_OK = "ok";
  /** A fatal alert in clear (TLS 1.3 alerts after the ServerHello are encrypted and cannot be seen). */
  public static final String STATUS_FAILED = "failed";
  /** The connection ended, or the capture lost the server's side, before a ServerHello. */
  public static final String STATUS_NO_SERVER_HELLO = "no_server_hello";

  /** ServerHello minus ClientHello; 0 unless both were seen. */
  public long handshakeNs() {
    return clientHelloNs != 0 && serverHelloNs != 0 ? serverHelloNs - clientHelloNs : 0;
  }
}
