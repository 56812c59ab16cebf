package io.sluice.l7.bench;

import io.sluice.l7.DnsRow;
import io.sluice.l7.HttpRow;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Engine;
import io.sluice.l7.L7Sink;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * HTTP/1.1 keep-alive exchanges on one TCP connection through the whole pure pipeline: packet parse, TCP
 * reassembly, request and response parsing (headers, a Content-Length body), FIFO join, row. One operation
 * is one exchange: a request segment and a response segment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HttpJoinBenchmark {
  private static final byte[] REQUEST = ("GET /api/v1/items?page=2 HTTP/1.1\r\nHost: shop.example.com\r\n"
      + "User-Agent: bench/1.0\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      + "Content-Length: 64\r\nServer: bench\r\n\r\n" + "x".repeat(64)).getBytes(StandardCharsets.US_ASCII);

  /** A response segment of 1,400 bytes (a 1,200-byte body) as the loader sends it at 256 payload bytes. */
  private static final byte[] BIG_RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
      + "Content-Length: 1200\r\nServer: bench\r\nCache-Control: no-store\r\nX-Request-Id: "
      + "0123456789abcdef0123456789abcdef\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final int BIG_RESPONSE_PAYLOAD = BIG_RESPONSE.length + 1200;

  private byte[] request;
  private byte[] response;
  private byte[] snappedResponse;
  private L7Engine engine;
  private long clientSeq = 1000;
  private long serverSeq = 5000;
  private long ns;

  @Setup
  public void setUp(Blackhole bh) {
    request = BenchPackets.tcp4(0x0A000001, 0x0A000002, 40000, 80, 0x18, REQUEST);
    response = BenchPackets.tcp4(0x0A000002, 0x0A000001, 80, 40000, 0x18, RESPONSE);
    byte[] big = java.util.Arrays.copyOf(BIG_RESPONSE, BIG_RESPONSE_PAYLOAD);
    snappedResponse = BenchPackets.snapped(BenchPackets.tcp4(0x0A000002, 0x0A000001, 80, 40000, 0x18, big), 40, 256);
    engine = new L7Engine(L7Config.defaults(), new L7Sink() {
      @Override
      public void dns(DnsRow row) {
        bh.consume(row);
      }

      @Override
      public void http(HttpRow row) {
        bh.consume(row);
      }
    });
  }

  @Benchmark
  public void exchange() {
    ns += 10_000;
    BenchPackets.setSeqAck(request, clientSeq, serverSeq);
    engine.onFrame(ns, 101, request, request.length);
    clientSeq += REQUEST.length;
    BenchPackets.setSeqAck(response, serverSeq, clientSeq);
    engine.onFrame(ns + 5_000, 101, response, response.length);
    serverSeq += RESPONSE.length;
  }

  /** As {@link #exchange}, the response cut by the capture: its body ends in a hole of known length. */
  @Benchmark
  public void exchangeSnapped() {
    ns += 10_000;
    BenchPackets.setSeqAck(request, clientSeq, serverSeq);
    engine.onFrame(ns, 101, request, request.length);
    clientSeq += REQUEST.length;
    BenchPackets.setSeqAck(snappedResponse, serverSeq, clientSeq);
    engine.onFrame(ns + 5_000, 101, snappedResponse, snappedResponse.length);
    serverSeq += BIG_RESPONSE_PAYLOAD;
  }
}
