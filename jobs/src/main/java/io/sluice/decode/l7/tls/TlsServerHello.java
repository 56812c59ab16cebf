package io.sluice.decode.l7.tls;

/**
 * The fields of a ServerHello (RFC 8446 4.1.3).
 *
 * @param selectedVersion supported_versions' selected version (TLS 1.3); 0 when absent
 * @param alpn the protocol chosen in application_layer_protocol_negotiation; "" when absent (in TLS 1.3 it is
 *     sent encrypted, in EncryptedExtensions, and so never visible here)
 * @param preSharedKey the server accepted a pre-shared key (TLS 1.3 resumption)
 * @param helloRetryRequest this is a HelloRetryRequest (the special random of RFC 8446 4.1.3)
 */
public record TlsServerHello(
    int legacyVersion,
    int selectedVersion,
    byte[] sessionId,
    int cipherSuite,
    int[] extensions,
    String alpn,
    boolean preSharedKey,
    boolean helloRetryRequest) {

  /** The negotiated version: supported_versions' choice when present, else the legacy field. */
  public int version() {
    return selectedVersion != 0 ? selectedVersion : legacyVersion;
  }
}
