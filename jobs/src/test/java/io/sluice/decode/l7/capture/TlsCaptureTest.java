package io.sluice.decode.l7.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.decode.l7.tls.Tls;
import io.sluice.decode.l7.tls.TlsClientHello;
import io.sluice.decode.l7.tls.TlsConnection;
import io.sluice.decode.l7.tls.TlsFingerprints;
import io.sluice.decode.l7.tls.TlsHandshakeRow;
import io.sluice.decode.l7.tls.TlsServerHello;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS: nginx with TLS 1.2 and 1.3, two SNI names, one port offering h2 and http/1.1 and one only http/1.1;
 * curl and openssl s_client as clients (versions forced, ALPN offers varied, a resumed session, a client that
 * offers only TLS 1.1 and gets a fatal alert). Captured on lo; each handshake checked against tshark's
 * dissection of the same file, whole and cut as the loader cuts it.
 */
class TlsCaptureTest {
  @TempDir static Path dir;
  static Path capture;
  static List<Map<String, String>> oracle;
  static int handshakes;

  @BeforeAll
  static void capture() throws Exception {
    assumeTrue(Tools.installed("nginx") && Tools.installed("curl") && Tools.installed("openssl")
        && Tools.installed("dumpcap") && Tools.installed("tshark"), "needs nginx, curl, openssl, dumpcap, tshark");
    Tools.worldReadable(dir);
    Path key = dir.resolve("key.pem");
    Path cert = dir.resolve("cert.pem");
    Tools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
        "-out", cert.toString(), "-days", "1", "-subj", "/CN=a.test"));
    Tools.worldReadable(dir);
    int h2 = Tools.freePort();
    int h1 = Tools.freePort();
    String tls = "    ssl_certificate " + cert + ";\n    ssl_certificate_key " + key + ";\n"
        + "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_session_cache shared:s:1m;\n    location / { return 200 ok; }\n";
    String servers = "  server {\n    listen 127.0.0.1:" + h2 + " ssl http2;\n    server_name a.test;\n" + tls + "  }\n"
        + "  server {\n    listen 127.0.0.1:" + h2 + " ssl http2;\n    server_name b.test;\n" + tls + "  }\n"
        + "  server {\n    listen 127.0.0.1:" + h1 + " ssl;\n    server_name c.test;\n" + tls + "  }\n";
    Process nginx = Tools.nginx(dir, servers, h2);
    Path session = dir.resolve("session.pem");
    try (LoopbackDumpcap cap = LoopbackDumpcap.start(dir, "tls", h2, h1)) {
      curl("--http2", "--tlsv1.3", "a.test", h2);
      curl("--http2", "--tls-max", "1.2", "b.test", h2);
      curl("--http1.1", "--tlsv1.2", "a.test", h2);
      curl("--http2", "--tlsv1.3", "c.test", h1);
      sClient("127.0.0.1:" + h2, "-servername", "b.test", "-alpn", "h2,http/1.1", "-tls1_2", "-sess_out",
          session.toString());
      sClient("127.0.0.1:" + h2, "-servername", "b.test", "-alpn", "h2,http/1.1", "-tls1_2", "-sess_in",
          session.toString());
      sClient("127.0.0.1:" + h1, "-servername", "c.test", "-alpn", "spdy/3,http/1.1", "-tls1_3");
      sClient("127.0.0.1:" + h1, "-servername", "old.test", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
      handshakes = 8;
      capture = cap.stop();
    } finally {
      nginx.destroy();
      nginx.waitFor();
    }
    oracle = tshark(capture);
  }

  private static void curl(String http, String version, String name, int port) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sk", "-o", "/dev/null", http, "--resolve",
        name + ":" + port + ":127.0.0.1"));
    cmd.addAll(Arrays.asList(version.split(" ")));
    if (version.equals("--tls-max")) {
      cmd.add("1.2");
    }
    cmd.add("https://" + name + ":" + port + "/");
    cmd.removeIf(String::isEmpty);
    Tools.run(cmd);
  }

  private static void curl(String http, String flag, String flagValue, String name, int port) throws Exception {
    Tools.run(List.of("curl", "-sk", "-o", "/dev/null", http, flag, flagValue, "--resolve",
        name + ":" + port + ":127.0.0.1", "https://" + name + ":" + port + "/"));
  }

  /** s_client reads "Q" and quits after the handshake; a failed handshake exits 1, which is expected here. */
  private static void sClient(String connect, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo Q | openssl s_client -connect " + connect + " "
        + String.join(" ", args) + " >/dev/null 2>&1; true"));
    Tools.run(cmd);
  }

  static List<Map<String, String>> tshark(Path capture) throws Exception {
    return TsharkTls.handshakes(capture);
  }

  static List<TlsHandshakeRow> parse(Path capture, int snap) throws Exception {
    List<TlsHandshakeRow[]> perConnection = new ArrayList<>();
    new TcpReplay().run(capture, snap, name -> {
      TlsHandshakeRow[] slot = new TlsHandshakeRow[1];
      perConnection.add(slot);
      TlsConnection c = new TlsConnection(row -> slot[0] = row);
      return TcpReplay.feeding(c);
    });
    return perConnection.stream().map(s -> s[0]).collect(Collectors.toList());
  }

  private static String hexList(int[] values) {
    return Arrays.stream(values).mapToObj(v -> String.format("0x%04x", v)).collect(Collectors.joining(","));
  }

  @Test
  void everyHandshakeAsTsharkSawIt() throws Exception {
    List<TlsHandshakeRow> rows = parse(capture, -1);
    assertEquals(handshakes, oracle.size());
    assertEquals(handshakes, rows.size());
    int tls13 = 0;
    int resumed = 0;
    int failed = 0;
    for (int i = 0; i < rows.size(); i++) {
      Map<String, String> t = oracle.get(i);
      TlsHandshakeRow r = rows.get(i);
      String at = "connection " + i + " " + t + " vs " + r;
      TlsClientHello c = r.clientHello();
      assertEquals(t.get("sni"), c.sni(), at);
      assertEquals(t.get("ja3"), TlsFingerprints.ja3(c), at);
      assertEquals(t.get("ja3_full"), TlsFingerprints.ja3String(c), at);
      assertEquals(t.get("client_versions"), hexList(c.supportedVersions()), at);
      assertEquals(t.get("client_ciphers"), hexList(c.cipherSuites()), at);
      assertEquals(t.get("alpn_offered"), String.join(",", c.alpn()), at);
      assertFalse(c.truncated());
      assertTrue(TlsFingerprints.ja4(c).matches("t1[0-3][di]\\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}"), at);
      TlsServerHello s = r.serverHello();
      if (t.containsKey("server_version")) {
        assertEquals(t.get("server_version"), String.format("0x%04x", s.version()), at);
        assertEquals(t.get("server_cipher"), String.format("0x%04x", s.cipherSuite()), at);
        assertEquals(t.get("alpn"), s.alpn(), at);
        assertTrue(r.handshakeNs() > 0, at);
        tls13 += s.version() == 0x0304 ? 1 : 0;
      } else {
        assertEquals(null, s, at);
      }
      if (t.containsKey("alert")) {
        assertEquals(Integer.parseInt(t.get("alert")), r.alertDescription(), at);
        assertEquals(Integer.parseInt(t.get("alert_level")), r.alertLevel(), at);
        assertEquals(r.alertLevel() == 2 ? "failed" : "ok", r.status(), at);
        failed++;
      } else {
        assertEquals("ok", r.status(), at);
      }
      resumed += r.resumed() ? 1 : 0;
    }
    assertEquals(4, tls13, "curl a.test twice (min 1.2 still negotiates 1.3), curl c.test, s_client c.test");
    assertEquals(1, resumed, "the second s_client with the first one's session");
    assertEquals(1, failed, "the TLS 1.1-only client");
    assertEquals(Tls.versionName(0x0304), "TLS 1.3");
  }

  /** The same capture through the L7 engine (`sluice l7`): recognised by the record header, one row each. */
  @Test
  void throughTheL7Engine() throws Exception {
    throughTheL7Engine(false);
  }

  /** The same, with each conversation written to bytes and read back after every packet, as in keyed state. */
  @Test
  void throughConversationsKeptAsBytes() throws Exception {
    throughTheL7Engine(true);
  }

  private void throughTheL7Engine(boolean keyedState) throws Exception {
    List<String> engine = new ArrayList<>();
    io.sluice.l7.L7Sink sink = new io.sluice.l7.L7Sink() {
      @Override
      public void dns(io.sluice.l7.DnsRow row) {}

      @Override
      public void http(io.sluice.l7.HttpRow row) {
        throw new AssertionError("not HTTP/1: " + row);
      }

      @Override
      public void tls(io.sluice.l7.TlsRow row) {
        Map<String, Object> c = row.columns("test");
        engine.add(c.get("sni") + " " + c.get("ja3") + " " + c.get("cipher_suite") + " " + c.get("status"));
      }
    };
    if (keyedState) {
      KeyedStateReplay.run(capture, sink);
    } else {
      io.sluice.l7.L7Replay.run(capture, io.sluice.l7.L7Config.defaults(), sink);
    }
    List<String> expected = new ArrayList<>();
    for (Map<String, String> t : oracle) {
      String cipher = t.containsKey("server_cipher") ? "" + Integer.decode(t.get("server_cipher")) : "0";
      expected.add(t.get("sni") + " " + t.get("ja3") + " " + cipher + " "
          + (t.containsKey("alert") ? "failed" : "ok"));
    }
    java.util.Collections.sort(engine);
    java.util.Collections.sort(expected);
    assertEquals(expected, engine);
  }

  /** Cut as the loader cuts it: whatever is there agrees with tshark; a cut ClientHello says so. */
  @Test
  void asTheLoaderCutsIt() throws Exception {
    for (int snap : new int[] {256, 1914}) {
      List<TlsHandshakeRow> rows = parse(capture, snap);
      int sni = 0;
      for (int i = 0; i < rows.size(); i++) {
        TlsHandshakeRow r = rows.get(i);
        Map<String, String> t = oracle.get(i);
        if (r == null) {
          continue;
        }
        String at = "snap " + snap + " connection " + i + " " + r;
        TlsClientHello c = r.clientHello();
        if (!c.sni().isEmpty()) {
          assertEquals(t.get("sni"), c.sni(), at);
          sni++;
        }
        if (!c.truncated()) {
          assertEquals(t.get("ja3"), TlsFingerprints.ja3(c), at);
        } else {
          assertEquals("", TlsFingerprints.ja3(c), at);
        }
        if (r.serverHello() != null) {
          assertEquals(t.get("server_version"), String.format("0x%04x", r.serverHello().version()), at);
        }
      }
      System.out.printf("TLS snap %d: %d rows of %d handshakes, %d with SNI%n", snap,
          rows.stream().filter(r -> r != null).count(), handshakes, sni);
      if (snap == 1914) {
        assertEquals(handshakes, sni, "every hello fits in the loader's maximum");
      }
    }
  }
}
