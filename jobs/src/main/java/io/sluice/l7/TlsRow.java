package io.sluice.l7;

import io.sluice.decode.l7.tls.Tls;
import io.sluice.decode.l7.tls.TlsClientHello;
import io.sluice.decode.l7.tls.TlsFingerprints;
import io.sluice.decode.l7.tls.TlsHandshakeRow;
import io.sluice.decode.l7.tls.TlsServerHello;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** One TLS handshake with the connection's ends; its columns are the {@code tls} table's (sql/018_tls.sql). */
public record TlsRow(byte[] clientAddr, int clientPort, byte[] serverAddr, int serverPort, TlsHandshakeRow handshake) {

  public Map<String, Object> columns(String node) {
    TlsHandshakeRow h = handshake;
    TlsClientHello c = h.clientHello();
    TlsServerHello s = h.serverHello();
    long timeNs = h.clientHelloNs() != 0 ? h.clientHelloNs() : h.serverHelloNs();
    Map<String, Object> m = L7Columns.head(timeNs, node, clientAddr, clientPort, serverAddr, serverPort);
    m.put("sni", c == null ? "" : c.sni());
    m.put("alpn_offered", c == null ? new String[0] : c.alpn().toArray(new String[0]));
    m.put("versions_offered", c == null ? new String[0]
        : Arrays.stream(c.supportedVersions()).filter(v -> !Tls.isGrease(v)).mapToObj(Tls::versionName)
            .toArray(String[]::new));
    m.put("cipher_suites", c == null ? new int[0]
        : Arrays.stream(c.cipherSuites()).filter(v -> !Tls.isGrease(v)).toArray());
    m.put("ja3", c == null ? "" : TlsFingerprints.ja3(c));
    m.put("ja4", c == null ? "" : TlsFingerprints.ja4(c));
    m.put("client_hello_truncated", c != null && c.truncated() ? 1 : 0);
    m.put("version", s == null ? "" : Tls.versionName(s.version()));
    m.put("cipher_suite", s == null ? 0 : s.cipherSuite());
    m.put("alpn", s == null ? "" : s.alpn());
    m.put("resumed", h.resumed() ? 1 : 0);
    m.put("hello_retry", h.helloRetry() ? 1 : 0);
    m.put("server_hello_ns", h.serverHelloNs());
    m.put("handshake_ns", h.handshakeNs());
    m.put("alert_level", h.alertLevel());
    m.put("alert_description", Math.max(0, h.alertDescription())); // meaningful when alert_level > 0
    m.put("alert_from_server", h.alertFromServer() ? 1 : 0);
    m.put("status", h.status());
    Map<String, Object> process = L7Columns.tail(new LinkedHashMap<>(), 0, 0, "");
    process.remove("response_time_ns");
    process.remove("latency_ns");
    process.remove("status");
    m.putAll(process);
    Map<String, Object> ordered = new LinkedHashMap<>(); // the table's order: server_hello_ns after time_ns
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (!e.getKey().equals("server_hello_ns")) {
        ordered.put(e.getKey(), e.getValue());
      }
      if (e.getKey().equals("time_ns")) {
        ordered.put("server_hello_ns", h.serverHelloNs());
      }
    }
    return ordered;
  }
}
