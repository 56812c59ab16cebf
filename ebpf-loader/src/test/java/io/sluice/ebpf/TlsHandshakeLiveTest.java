package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.decode.l7.capture.TsharkTls;
import io.sluice.decode.l7.tls.Tls;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import io.sluice.l7.TlsRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * TLS handshakes kept whole at the loader's default snap (tls.h, ebpf-loader/README.md "TLS handshakes and the
 * snap"): nginx with TLS 1.2 and 1.3, two SNI names and a port offering h2 and http/1.1 and one only http/1.1, in
 * the server namespace; curl and openssl s_client in the client namespace, two of them offering a long ALPN list so
 * that the ClientHello is about 2,700 bytes (more than one segment on the wire and more than one ring-buffer
 * record). The loader captures in the client namespace at the default snap; its packets go through the L7 engine and
 * each handshake's row is compared with tshark's dissection of a whole dumpcap capture made in the server namespace
 * (SNI, ALPN offered and chosen, versions offered and negotiated, cipher suite, JA3) and with the engine's own row
 * from the whole capture (JA4, which tshark 4.0 does not compute). Then the same traffic with the feature off, which
 * must give rows that differ: what it is for. About 15 s.
 */
class TlsHandshakeLiveTest {
  static final int H2_PORT = 8443;
  static final int H1_PORT = 8444;
  /** Long ALPN names: a ClientHello of about 2,700 bytes. */
  static final String LONG_ALPN = IntStream.range(0, 12).mapToObj(i -> "x-" + i + "-" + "a".repeat(190))
      .collect(Collectors.joining(","));

  record Run(List<String> tshark, List<String> loader, List<String> whole, long[] counters, long records,
      long payloadKept, long kafkaBytes) {}

  @Test
  void everyHandshakeWholeAtTheDefaultSnap() throws Exception {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
    for (String tool : List.of("/usr/sbin/nginx", "/usr/bin/curl", "/usr/bin/openssl", "/usr/bin/dumpcap",
        "/usr/bin/tshark")) {
      assumeTrue(Files.isExecutable(Path.of(tool)), "needs " + tool);
    }
    try (NetLab lab = new NetLab()) {
      startNginx(lab);
      Run kept = run(lab);
      System.out.printf("TLS live, handshakes kept: %d handshakes, %d packet records, %d payload bytes kept; counters"
          + " %s%n", kept.tshark.size(), kept.records, kept.payloadKept, Arrays.toString(kept.counters));
      assertEquals(7, kept.tshark.size(), "tshark's handshakes " + kept.tshark);
      assertEquals(kept.tshark, strip(kept.loader), "the loader's rows against tshark");
      assertEquals(kept.whole, kept.loader, "the loader's rows against the engine on the whole capture");
      assertTrue(kept.loader.stream().noneMatch(l -> l.contains("truncated")), kept.loader.toString());
      assertTrue(kept.counters[8] >= 7, "ClientHellos seen: " + kept.counters[8]);
      assertTrue(kept.counters[9] > 0, "segments kept past the snap");

      System.setProperty(BpfMaps.NO_TLS_HANDSHAKES_PROPERTY, "1");
      Run snapped;
      try {
        snapped = run(lab);
      } finally {
        System.clearProperty(BpfMaps.NO_TLS_HANDSHAKES_PROPERTY);
      }
      System.out.printf("TLS live, snap only: %d handshakes, %d packet records, %d payload bytes kept%n",
          snapped.tshark.size(), snapped.records, snapped.payloadKept);
      assertEquals(0, snapped.counters[8] + snapped.counters[9]);
      assertFalse(snapped.tshark.equals(strip(snapped.loader)) && snapped.whole.equals(snapped.loader),
          "this traffic needs the handshakes kept at the default snap: " + snapped.loader);
    }
  }

  /** The engine's lines without the JA4 and the truncation mark, which tshark does not give. */
  static List<String> strip(List<String> lines) {
    return lines.stream().map(l -> l.replaceAll(" ja4=\\S*", "").replace(" truncated", "")).collect(Collectors.toList());
  }

  static void startNginx(NetLab lab) throws Exception {
    Path key = lab.dir.resolve("key.pem");
    Path cert = lab.dir.resolve("cert.pem");
    NetLab.sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert
        + " -days 1 -subj /CN=a.test 2>/dev/null");
    String tls = "ssl_certificate " + cert + "; ssl_certificate_key " + key + "; ssl_protocols TLSv1.2 TLSv1.3;"
        + " location / { return 200 ok; }";
    Files.writeString(lab.dir.resolve("nginx-tls.conf"), LabServers.nginxConf(lab, "nginx-tls", """
            server { listen %1$s:%2$d ssl http2; server_name a.test; %4$s }
            server { listen %1$s:%2$d ssl http2; server_name b.test; %4$s }
            server { listen %1$s:%3$d ssl; server_name c.test; %4$s }
        """.formatted(lab.serverIp, H2_PORT, H1_PORT, tls)));
    NetLab.sh("chmod -R a+rX " + lab.dir);
    lab.daemon(lab.server, "nginx -c " + lab.dir.resolve("nginx-tls.conf"), "nginx-tls.log");
    long deadline = System.currentTimeMillis() + 60_000;  // a ceiling: a busy machine starts servers slowly
    while (true) {
      try {
        lab.exec(lab.client, false, "curl -sk -m 2 -o /dev/null https://" + lab.serverIp + ":" + H1_PORT + "/");
        return;
      } catch (IllegalStateException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("nginx TLS did not come up: " + lab.log("nginx-tls.log"));
        }
        Thread.sleep(200);
      }
    }
  }

  private static String curl(NetLab lab, String options, String name, int port) {
    return "curl -sk -o /dev/null " + options + " --resolve " + name + ":" + port + ":" + lab.serverIp + " https://"
        + name + ":" + port + "/";
  }

  /** s_client reads "Q" and quits after the handshake. */
  private static String sClient(NetLab lab, int port, String options) {
    return "echo Q | openssl s_client -connect " + lab.serverIp + ":" + port + " " + options + " >/dev/null 2>&1";
  }

  /** The traffic once, under a loader at the default snap and a whole capture in the server namespace. */
  static Run run(NetLab lab) throws Exception {
    LiveCapture c = LiveCapture.run(lab, List.of(H2_PORT, H1_PORT), () -> {
      lab.exec(lab.client, true, curl(lab, "--http2 --tlsv1.3", "a.test", H2_PORT));
      lab.exec(lab.client, true, curl(lab, "--http1.1 --tls-max 1.2", "b.test", H2_PORT));
      lab.exec(lab.client, true, curl(lab, "--http2 --tlsv1.2", "c.test", H1_PORT));
      lab.exec(lab.client, true, sClient(lab, H2_PORT, "-servername b.test -alpn h2,http/1.1 -tls1_3"));
      lab.exec(lab.client, true, sClient(lab, H2_PORT, "-servername a.test -alpn h2," + LONG_ALPN + " -tls1_2"));
      lab.exec(lab.client, true, sClient(lab, H1_PORT, "-servername c.test -alpn " + LONG_ALPN + ",http/1.1 -tls1_3"));
      lab.exec(lab.client, true, sClient(lab, H2_PORT, "-servername " + ("s".repeat(60) + ".").repeat(3) + "test -tls1_3"));
    });
    System.out.println("TLS live: largest payload in one record " + c.largestPayload());
    List<String> tshark = new ArrayList<>();
    for (Map<String, String> t : TsharkTls.handshakes(c.whole())) {
      String versions = Arrays.stream(t.get("client_versions").split(",")).filter(v -> !v.isEmpty())
          .mapToInt(Integer::decode).filter(v -> !Tls.isGrease(v)).mapToObj(Tls::versionName)
          .collect(Collectors.joining(","));
      tshark.add("sni=" + t.get("sni") + " alpn_offered=" + t.get("alpn_offered") + " versions_offered=" + versions
          + " ja3=" + t.get("ja3") + " version=" + (t.containsKey("server_version")
          ? Tls.versionName(Integer.decode(t.get("server_version"))) : "") + " cipher_suite="
          + (t.containsKey("server_cipher") ? Integer.decode(t.get("server_cipher")) : 0) + " alpn="
          + t.getOrDefault("alpn", ""));
    }
    Collections.sort(tshark);
    return new Run(tshark, rows(c.frames(), null), rows(null, c.whole()), c.counters(), c.frames().size(), c.payloadKept(),
        c.kafkaBytes());
  }

  /** The L7 engine's tls rows, one line each (sorted), of the loader's frames or of a capture file. */
  private static List<String> rows(List<CaptureFrame> frames, Path file) throws Exception {
    List<String> lines = new ArrayList<>();
    L7Sink sink = new L7Sink() {
      @Override
      public void dns(DnsRow row) {}

      @Override
      public void http(HttpRow row) {}

      @Override
      public void tls(TlsRow row) {
        Map<String, Object> c = row.columns("test");
        lines.add("sni=" + c.get("sni") + " alpn_offered=" + String.join(",", (String[]) c.get("alpn_offered"))
            + " versions_offered=" + String.join(",", (String[]) c.get("versions_offered")) + " ja3=" + c.get("ja3")
            + " ja4=" + c.get("ja4") + " version=" + c.get("version") + " cipher_suite=" + c.get("cipher_suite")
            + " alpn=" + c.get("alpn") + (((Number) c.get("client_hello_truncated")).intValue() != 0 ? " truncated" : ""));
      }
    };
    if (file != null) {
      L7Replay.run(file, L7Config.defaults(), sink);
    } else {
      L7Replay.run(frames, L7Config.defaults(), sink);
    }
    Collections.sort(lines);
    return lines;
  }
}
