package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.decode.l7.capture.TsharkHttp2;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.l7.DnsRow;
import io.sluice.l7.Http2Row;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Replay;
import io.sluice.l7.L7Sink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 header blocks kept whole at the loader's default snap (the frame-aware walk, ebpf-loader/README.md): nginx
 * serving h2c with prior knowledge in the server namespace, h2load (many concurrent streams on two connections) and
 * nghttp in the client namespace, both sending a 2,500-byte header (HPACK puts it in the dynamic table once, so
 * every later request needs that first block) and nginx answering with a 3,000-byte header (a block longer than
 * one record). The loader captures in the client namespace at the default snap; what it sent goes through the L7
 * engine and is compared per stream with tshark's dissection of a whole capture made in the server namespace at the
 * same time: every stream there, with tshark's method, authority, path and status, none marked incomplete, the
 * response body sizes exact. Then the same traffic with the walk off, which must lose or mark some streams: what
 * the walk is for. About 20 s.
 */
class Http2FrameAwareLiveTest {
  static final int PORT = 8081; // not an HTTP/1 port of L7Config: the engine takes 8080 for HTTP/1 at the SYN
  static final int REQUESTS = 400;

  /** What one run gave: tshark's streams and the rows (sorted lines), the loader's counters and what it sent. */
  record Run(List<String> tshark, List<String> engine, long incomplete, long[] counters, long records,
      long payloadKept, long kafkaBytes, List<Map<String, Object>> rows, Path whole) {}

  @Test
  void everyStreamWholeAtTheDefaultSnap() throws Exception {
    String lacks = Preflight.kernelLacksBpf();
    assumeTrue(lacks == null, () -> "skipped: " + lacks);
    for (String tool : List.of("/usr/sbin/nginx", "/usr/bin/h2load", "/usr/bin/nghttp", "/usr/bin/dumpcap",
        "/usr/bin/tshark")) {
      assumeTrue(Files.isExecutable(Path.of(tool)), "needs " + tool);
    }
    try (NetLab lab = new NetLab()) {
      startNginx(lab);
      Run walked = run(lab);
      System.out.printf("HTTP/2 live, frame-aware: %d tshark streams, %d rows, %d incomplete; %d records for %d"
          + " segments walked, %s; %d payload bytes kept%n", walked.tshark.size(), walked.engine.size(),
          walked.incomplete, walked.records, walked.counters[6], H2WalkLog.lost(walked.counters), walked.payloadKept);
      System.out.println(H2WalkLog.mostSteps(walked.whole, List.of(PORT)));
      H2WalkLog.printIfLost(walked.counters, walked.whole, List.of(PORT));
      assertTrue(walked.tshark.size() >= REQUESTS + 3, "tshark saw " + walked.tshark.size() + " streams");
      assertEquals(List.of(), difference(walked.tshark, walked.engine), "tshark's streams not in the rows");
      assertEquals(List.of(), difference(walked.engine, walked.tshark), "rows tshark does not have");
      assertEquals(0, walked.incomplete);
      assertEquals(0, walked.counters[7], "no walk lost");
      assertTrue(walked.counters[6] > 0, "segments were walked");
      for (Map<String, Object> r : walked.rows) {
        if (r.get("path").equals("/big.bin")) {
          assertEquals(50_000L, ((Number) r.get("response_body_size")).longValue(), r.toString());
        }
      }

      System.setProperty(BpfMaps.NO_H2_FRAMES_PROPERTY, "1");
      Run snapped;
      try {
        snapped = run(lab);
      } finally {
        System.clearProperty(BpfMaps.NO_H2_FRAMES_PROPERTY);
      }
      System.out.printf("HTTP/2 live, snap only: %d tshark streams, %d rows, %d incomplete; %d records; %d payload"
          + " bytes kept%n", snapped.tshark.size(), snapped.engine.size(), snapped.incomplete, snapped.records,
          snapped.payloadKept);
      assertEquals(0, snapped.counters[6]);
      assertTrue(!difference(snapped.tshark, snapped.engine).isEmpty() || snapped.incomplete > 0,
          "this traffic needs the walk at the default snap");
    }
  }

  /** What a has and b does not (a multiset difference). */
  private static List<String> difference(List<String> a, List<String> b) {
    List<String> left = new ArrayList<>(a);
    b.forEach(left::remove);
    return left.size() > 20 ? List.of(left.size() + " lines, first " + left.subList(0, 20)) : left;
  }

  static void startNginx(NetLab lab) throws Exception {
    Path html = Files.createDirectories(lab.dir.resolve("html"));
    Files.write(html.resolve("small.txt"), "hello\n".getBytes());
    Files.write(html.resolve("mid.bin"), new byte[20_000]);
    Files.write(html.resolve("big.bin"), new byte[50_000]);
    Files.writeString(lab.dir.resolve("nginx-h2.conf"), LabServers.nginxConf(lab, "nginx-h2", """
            server {
              listen %s:%d http2;
              root %s/html;
              http2_max_concurrent_streams 128;
              large_client_header_buffers 4 16k;
              location = /missing { return 404; }
              location = /mid.bin { add_header x-padding "%s"; }
            }
        """.formatted(lab.serverIp, PORT, lab.dir, "p".repeat(3000))));
    NetLab.sh("chmod -R a+rX " + lab.dir);
    lab.daemon(lab.server, "nginx -c " + lab.dir.resolve("nginx-h2.conf"), "nginx-h2.log");
    long deadline = System.currentTimeMillis() + 60_000;  // a ceiling: a busy machine starts servers slowly
    while (true) {
      try {
        lab.exec(lab.client, false, "nghttp -n http://" + lab.serverIp + ":" + PORT + "/small.txt");
        return;
      } catch (IllegalStateException e) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("nginx h2c did not come up: " + lab.log("nginx-h2.log"));
        }
        Thread.sleep(200);
      }
    }
  }

  /** What the loader sent, as a pcap file (nanosecond times) for a look with tshark when the test fails. */
  private static void writePcap(Path file, List<CaptureFrame> frames) throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    h.putInt(0xa1b23c4d).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
    out.write(h.array());
    for (CaptureFrame f : frames) {
      java.nio.ByteBuffer r = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      r.putInt((int) (f.timestampNs() / 1_000_000_000L)).putInt((int) (f.timestampNs() % 1_000_000_000L))
          .putInt(f.capturedLength()).putInt(f.originalLength());
      out.write(r.array());
      out.write(f.data(), 0, f.capturedLength());
    }
    Files.write(file, out.toByteArray());
  }

  /** The traffic once, under a loader at the default snap and a whole capture in the server namespace. */
  static Run run(NetLab lab) throws Exception {
    LiveCapture cap = LiveCapture.run(lab, List.of(PORT), () -> {
      String base = "http://" + lab.serverIp + ":" + PORT;
      String big = "x-trace: " + "t".repeat(2500);
      lab.exec(lab.client, true, "h2load -n " + REQUESTS + " -c 2 -m 100 -H \"" + big + "\" " + base + "/small.txt "
          + base + "/mid.bin " + base + "/big.bin " + base + "/missing");
      lab.exec(lab.client, true, "nghttp -n -H \"" + big + "\" " + base + "/missing " + base + "/small.txt "
          + base + "/mid.bin");
    });
    List<CaptureFrame> frames = cap.frames();
    Path whole = cap.whole();
    writePcap(lab.dir.resolve("loader.pcap"), frames);
    if (System.getenv("SLUICE_KEEP_PCAP") != null) {
      Files.copy(lab.dir.resolve("loader.pcap"), Path.of(System.getenv("SLUICE_KEEP_PCAP") + System.nanoTime() + ".pcap"));
      Files.copy(whole, Path.of(System.getenv("SLUICE_KEEP_PCAP") + System.nanoTime() + "-whole.pcapng"));
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    L7Replay.run(frames, L7Config.defaults(), new L7Sink() {
      @Override
      public void dns(DnsRow row) {}

      @Override
      public void http(HttpRow row) {}

      @Override
      public void http2(Http2Row row) {
        rows.add(row.columns("test"));
      }
    });
    List<String> engine = new ArrayList<>();
    long incomplete = 0;
    for (Map<String, Object> c : rows) {
      engine.add(c.get("stream_id") + " " + c.get("method") + " " + c.get("host") + c.get("path") + " "
          + c.get("status_code") + " " + c.get("status"));
      incomplete += ((Number) c.get("incomplete")).longValue();
    }
    List<String> tshark = new ArrayList<>();
    for (Map.Entry<String, TsharkHttp2.Stream> e : TsharkHttp2.streams(whole, PORT).entrySet()) {
      TsharkHttp2.Stream t = e.getValue();
      tshark.add(e.getKey().split("/")[1] + " " + t.method + " " + t.authority + t.path + " " + t.status + " answered");
    }
    Collections.sort(engine);
    Collections.sort(tshark);
    return new Run(tshark, engine, incomplete, cap.counters(), frames.size(), cap.payloadKept(), cap.kafkaBytes(), rows,
        whole);
  }
}
