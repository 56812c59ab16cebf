package io.sluice.decode.l7.tls;

import java.util.List;

/**
 * The fields of a ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2) that identify the client and what it offers.
 * Lists keep the wire order and GREASE values (RFC 8701); {@link Tls#isGrease} tells them apart.
 *
 * @param legacyVersion the version field of the hello (0x0303 for TLS 1.2 and 1.3)
 * @param extensions extension types in wire order
 * @param sni the host_name of server_name; "" when absent
 * @param alpn the protocols offered in application_layer_protocol_negotiation, in order
 * @param supportedVersions supported_versions' list; empty when the extension is absent
 * @param truncated the capture held only the start of the message: the lists and extensions are those wholly
 *     inside it (the rest is unknown, and no fingerprint is computed)
 */
public record TlsClientHello(
    int legacyVersion,
    byte[] sessionId,
    int[] cipherSuites,
    int[] extensions,
    String sni,
    List<String> alpn,
    int[] supportedVersions,
    int[] supportedGroups,
    int[] ecPointFormats,
    int[] signatureAlgorithms,
    boolean sessionTicket,
    boolean preSharedKey,
    boolean truncated) {

  /** The highest version offered: from supported_versions when present (GREASE ignored), else the legacy field. */
  public int maxVersion() {
    int max = 0;
    for (int v : supportedVersions) {
      if (!Tls.isGrease(v) && v > max && v < 0xfe00) {
        max = v;
      }
    }
    return max != 0 ? max : legacyVersion;
  }

  public boolean hasExtension(int type) {
    for (int e : extensions) {
      if (e == type) {
        return true;
      }
    }
    return false;
  }
}
