package io.sluice.cli.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class L7CommandTest {
  private static Path fixtures() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("shared/fixtures"))) {
        return dir.resolve("shared/fixtures");
      }
    }
    throw new IllegalStateException("no shared/fixtures");
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void jsonLinesUseColumnNamesAndEndWithTheSummary() throws Exception {
    Path capture = fixtures().resolve("l7/zeek/http_pipelined-requests.pcap");
    JsonNode oracle = new ObjectMapper().readTree(fixtures().resolve("oracle/l7/zeek__http_pipelined-requests.summary.json").toFile());
    Result r = run("l7", capture.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    List<JsonNode> lines = new ArrayList<>();
    for (String line : r.out().strip().split("\n")) {
      lines.add(new ObjectMapper().readTree(line));
    }
    JsonNode summary = lines.get(lines.size() - 1).get("summary");
    assertEquals(oracle.get("http").get("fifo_join").get("final_responses_paired").asLong(),
        summary.get("http").get("pairs").asLong());
    List<JsonNode> http = lines.stream().filter(n -> n.has("http")).map(n -> n.get("http")).toList();
    assertEquals(oracle.get("http").get("requests").asLong(), http.size());
    for (JsonNode row : http) {
      assertEquals("GET", row.get("method").asText());
      assertEquals(200, row.get("status_code").asInt());
      assertTrue(row.get("latency_ns").asLong() > 0);
      assertEquals("answered", row.get("status").asText());
      // the HTTP/2 and gRPC columns, at their defaults on an HTTP/1.1 row
      assertEquals(List.of(0, "", -1, 0), List.of(row.get("stream_id").asInt(), row.get("grpc_service").asText(),
          row.get("grpc_status").asInt(), row.get("grpc").asInt()));
    }
  }

  @Test
  void tableAndSummaryForDns() {
    Result r = run("l7", fixtures().resolve("l7/zeek/dns-two-responses.pcap").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("dns (2 rows)"), r.out());
    assertTrue(r.out().contains("pairs 1, timeouts 0, unsolicited responses 1"), r.out());
  }

  @Test
  void missingFileIsAUserErrorAndBadOptionsAUsageError() {
    Result missing = run("l7", "/nonexistent/capture.pcap");
    assertEquals(1, missing.code());
    assertTrue(missing.err().startsWith("error: no such capture file"), missing.err());
    assertEquals(2, run("l7", "--no-such-option", "x.pcap").code());
  }

  @Test
  void corruptFileNamesTheOffset() throws Exception {
    Path bad = Files.createTempFile("corrupt", ".pcap");
    byte[] head = Files.readAllBytes(fixtures().resolve("l7/zeek/http_get.pcap"));
    Files.write(bad, java.util.Arrays.copyOf(head, 24 + 16 + 10)); // a record cut short
    Result r = run("l7", bad.toString());
    Files.delete(bad);
    assertEquals(1, r.code());
    assertTrue(r.err().contains("offset"), r.err());
  }

  /** HTTP/2 from nghttp to nghttpd (cleartext, any port), captured on lo: `sluice l7` prints its streams. */
  @Test
  void printsHttp2Streams(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    for (String tool : List.of("nghttpd", "nghttp", "dumpcap")) {
      org.junit.jupiter.api.Assumptions.assumeTrue(
          new ProcessBuilder("sh", "-c", "command -v " + tool + " || test -x /usr/sbin/" + tool).start().waitFor() == 0,
          "needs " + tool);
    }
    Files.writeString(dir.resolve("hello.txt"), "hello\n");
    int port = io.sluice.stack.Ports.free();  // below the ephemeral range: no client connection can hold it
    Path pcap = dir.resolve("h2.pcapng");
    Process server = new ProcessBuilder("nghttpd", "--no-tls", "-d", dir.toString(), "" + port)
        .redirectErrorStream(true).redirectOutput(dir.resolve("nghttpd.log").toFile()).start();
    waitForPort(port, server);  // before dumpcap starts: the probe's connection stays out of the capture
    Process dumpcap = new ProcessBuilder("dumpcap", "-q", "-i", "lo", "-f", "tcp port " + port, "-w", pcap.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("dumpcap.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!Files.readString(dir.resolve("dumpcap.log")).contains("File: ") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(300);
      assertEquals(0, new ProcessBuilder("nghttp", "-n", "http://127.0.0.1:" + port + "/hello.txt",
          "http://127.0.0.1:" + port + "/nothing").start().waitFor());
      Thread.sleep(1000);
    } finally {
      dumpcap.destroy();
      dumpcap.waitFor();
      server.destroy();
      server.waitFor();
    }
    Result r = run("l7", pcap.toString(), "--json");
    assertEquals(0, r.code(), r.err());
    List<String> streams = new ArrayList<>();
    for (String line : r.out().strip().split("\n")) {
      JsonNode n = new ObjectMapper().readTree(line);
      if (n.has("http")) {
        JsonNode h = n.get("http");
        streams.add(h.get("version").asText() + " " + h.get("method").asText() + " " + h.get("path").asText() + " "
            + h.get("status_code").asInt() + " " + h.get("status").asText() + " stream " + h.get("stream_id").asInt()
            + " " + h.get("scheme").asText() + " grpc " + h.get("grpc").asInt() + " " + h.get("grpc_status").asInt()
            + " end>=response " + (h.get("response_end_ns").asLong() >= h.get("response_time_ns").asLong()));
      }
    }
    java.util.Collections.sort(streams);
    assertEquals(List.of("HTTP/2 GET /hello.txt 200 answered stream 13 http grpc 0 -1 end>=response true",
        "HTTP/2 GET /nothing 404 answered stream 15 http grpc 0 -1 end>=response true"), streams);
    Result table = run("l7", pcap.toString());
    assertTrue(table.out().contains("http (HTTP/2) (2 rows)"), table.out());
    assertTrue(table.out().contains("stream_id") && table.out().contains("grpc_status"), table.out());
  }
  /** Waits until nghttpd listens: started, it may not yet, and nghttp would then fail to connect. */
  private static void waitForPort(int port, Process server) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException notYet) {
        if (!server.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("nghttpd did not listen on " + port);
        }
        Thread.sleep(50);
      }
    }
  }
}
