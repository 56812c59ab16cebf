package io.sluice.decode.l7.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.l7.Http2Row;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import io.sluice.l7.SnapCutter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 {@code Upgrade: h2c} (RFC 7540 3.2) from real tools, captured on lo by dumpcap and checked against tshark:
 * nghttp -u and curl --http2 upgrade to nghttpx (which accepts the upgrade; nghttpd behind it), and curl --http2
 * to nginx serving HTTP/1.1, which ignores the upgrade. The upgraded request is stream 1 of the HTTP/2 that
 * follows the 101, an HTTP/2 row with its response from the frames; a declined upgrade stays HTTP/1.1.
 */
class H2cUpgradeCaptureTest {
  @TempDir static Path dir;
  static Path capture;
  static int port;
  static int http1Port;
  /** tshark's streams by "client port/stream id". */
  static Map<String, TsharkHttp2.Stream> oracle = new TreeMap<>();

  @BeforeAll
  static void capture() throws Exception {
    assumeTrue(Tools.installed("nghttpx") || Files.isExecutable(Path.of("/usr/sbin/nghttpx")), "needs nghttp2-proxy");
    assumeTrue(Tools.installed("nghttpd") || Files.isExecutable(Path.of("/usr/sbin/nghttpd")), "needs nghttp2-server");
    assumeTrue(Tools.installed("nghttp") && Tools.installed("curl") && Tools.installed("nginx")
        && Tools.installed("dumpcap") && Tools.installed("tshark"), "needs nghttp2-client, curl, nginx, tshark");
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(docs.resolve("a.txt"), "hello\n");
    Files.write(docs.resolve("b.bin"), new byte[20_000]);
    Tools.worldReadable(dir);
    Tools.worldReadable(docs);
    int backend = Tools.freePort();
    port = Tools.freePort();
    http1Port = Tools.freePort();
    Process nghttpd = new ProcessBuilder("nghttpd", "--no-tls", "-d", docs.toString(), "" + backend)
        .redirectErrorStream(true).redirectOutput(dir.resolve("nghttpd.log").toFile()).start();
    Process nghttpx = new ProcessBuilder("nghttpx", "--conf=/dev/null", "--single-process", "-L", "WARN",
        "-f127.0.0.1," + port + ";no-tls", "-b127.0.0.1," + backend + ";;proto=h2")
        .redirectErrorStream(true).redirectOutput(dir.resolve("nghttpx.log").toFile()).start();
    Process nginx = Tools.nginx(dir, "  server {\n    listen 127.0.0.1:" + http1Port + ";\n    root " + docs
        + ";\n  }", http1Port);
    try {
      Tools.waitForPort(backend, nghttpd);
      Tools.waitForPort(port, nghttpx);
      try (LoopbackDumpcap cap = LoopbackDumpcap.start(dir, "h2c-upgrade", port, http1Port)) {
        String base = "http://127.0.0.1:" + port;
        Tools.run(List.of("nghttp", "-u", "-n", base + "/a.txt", base + "/b.bin", base + "/none"));
        Tools.run(List.of("nghttp", "-u", "-n", base + "/b.bin"));
        Tools.run(List.of("curl", "-s", "-o", "/dev/null", "--http2", base + "/a.txt"));
        Tools.run(List.of("curl", "-s", "-o", "/dev/null", "--http2", "http://127.0.0.1:" + http1Port + "/a.txt"));
        capture = cap.stop();
      }
    } finally {
      for (Process p : List.of(nghttpx, nghttpd, nginx)) {
        p.destroy();
        p.waitFor();
      }
    }
    // The HTTP/1.1 requests that asked for the upgrade (one per connection), then the HTTP/2 streams after the 101.
    Map<String, String> clientPorts = new TreeMap<>();
    for (String line : Tools.run(List.of("tshark", "-o", "tcp.reassemble_out_of_order:TRUE", "-r", capture.toString(), "-d", "tcp.port==" + port + ",http",
        "-Y", "http.request && tcp.dstport == " + port, "-T", "fields", "-E", "separator=|", "-e", "tcp.stream",
        "-e", "tcp.srcport", "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.host",
        "-e", "http.upgrade")).split("\n")) {
      String[] f = line.split("\\|", -1);
      if (f.length < 6) {
        continue;
      }
      assertEquals("h2c", f[5], "every connection to nghttpx asks for h2c: " + line);
      clientPorts.put(f[0], f[1]);
      TsharkHttp2.Stream s = new TsharkHttp2.Stream();
      s.method = f[2];
      s.path = f[3];
      s.authority = f[4];
      s.scheme = "http";
      oracle.put(f[1] + "/1", s);
    }
    for (Map.Entry<String, TsharkHttp2.Stream> e : TsharkHttp2.streams(capture, "http", port).entrySet()) {
      String[] key = e.getKey().split("/");
      String at = clientPorts.get(key[0]) + "/" + key[1];
      TsharkHttp2.Stream upgraded = oracle.get(at);
      if (upgraded != null) { // stream 1: its request was HTTP/1.1, its response is HTTP/2
        upgraded.status = e.getValue().status;
        upgraded.contentType = e.getValue().contentType;
      } else {
        oracle.put(at, e.getValue());
      }
    }
  }

  @Test
  void everyStreamAsTsharkSawIt() throws Exception {
    Rows rows = new Rows();
    L7Replay.run(capture, L7Config.defaults(), rows);
    assertEquals(5, oracle.size(), "tshark: " + oracle);
    assertEquals(3, oracle.keySet().stream().filter(k -> k.endsWith("/1")).count(), "three upgraded connections");
    assertEquals(expected(), rows.http2);
    assertEquals(List.of("GET /a.txt HTTP/1.1 200 answered"), rows.http1, "the declined upgrade stays HTTP/1.1");
  }

  /** The same with each conversation written to bytes and read back after every packet, as in keyed state. */
  @Test
  void throughConversationsKeptAsBytes() throws Exception {
    Rows rows = new Rows();
    KeyedStateReplay.run(capture, rows);
    assertEquals(expected(), rows.http2);
    assertEquals(List.of("GET /a.txt HTTP/1.1 200 answered"), rows.http1);
  }

  /**
   * As the loader keeps it by default (256 payload bytes a packet): the upgrade request, the 101 with the server's
   * SETTINGS, the client's preface and HEADERS and the first response frames fit, so every upgraded stream 1 is
   * whole. A response whose later frames the cut hid (b.bin's 20,000 bytes in one loopback segment) ends "lost" and
   * incomplete, with what it has right: request, status and content type as tshark's.
   */
  @Test
  void asTheLoaderCutsIt() throws Exception {
    Rows rows = new Rows();
    L7Replay.run(SnapCutter.cut(capture, 256), L7Config.defaults(), rows);
    Map<String, String> expected = expected();
    assertEquals(expected.keySet(), rows.http2.keySet());
    int lost = 0;
    for (Map.Entry<String, String> e : rows.http2.entrySet()) {
      String whole = expected.get(e.getKey());
      if (e.getValue().endsWith(" lost incomplete")) { // its body size is a lower bound
        lost++;
        assertEquals(whole.replace(" answered complete", ""), e.getValue().replace(" lost incomplete", ""), e.getKey());
      } else {
        assertEquals(whole, e.getValue(), e.getKey());
      }
      if (e.getKey().endsWith("/1") && e.getValue().contains("/a.txt")) {
        assertEquals(whole, e.getValue(), "an upgraded small response is whole at the default snap");
      }
    }
    System.out.println("h2c upgrade at snap 256: " + lost + " of " + expected.size() + " streams lost their end");
  }

  private static Map<String, String> expected() {
    Map<String, String> m = new TreeMap<>();
    for (Map.Entry<String, TsharkHttp2.Stream> e : oracle.entrySet()) {
      TsharkHttp2.Stream t = e.getValue();
      m.put(e.getKey(), t.method + " " + t.scheme + "://" + t.authority + t.path + " " + t.status + " " + t.contentType
          + " answered complete");
    }
    return m;
  }

  private static final class Rows implements L7Sink {
    final Map<String, String> http2 = new TreeMap<>();
    final List<String> http1 = new ArrayList<>();

    @Override
    public void dns(io.sluice.l7.DnsRow row) {}

    @Override
    public void http(HttpRow r) {
      http1.add(r.method() + " " + r.path() + " " + r.version() + " " + r.statusCode() + " " + r.status());
    }

    @Override
    public void http2(Http2Row row) {
      HttpRow r = row.asHttpRow();
      assertEquals(port, r.serverPort());
      assertTrue(r.latencyNs() >= 0 && (r.http2().responseEndNs() == 0 || r.http2().responseEndNs() >= r.responseTimeNs()),
          row.toString());
      if (r.path().equals("/b.bin") && r.status().equals("answered")) {
        assertEquals(20_000, r.responseBodySize());
      }
      String previous = http2.put(r.clientPort() + "/" + r.http2().streamId(), r.method() + " " + r.http2().scheme()
          + "://" + r.host() + r.path() + " " + r.statusCode() + " " + r.contentType() + " " + r.status() + " "
          + (r.incomplete() ? "incomplete" : "complete"));
      assertEquals(null, previous, "one row per stream");
    }
  }
}
