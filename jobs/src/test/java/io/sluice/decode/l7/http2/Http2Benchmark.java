package io.sluice.decode.l7.http2;

import java.io.ByteArrayOutputStream;
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
 * HTTP/2 streams on one long-lived connection through {@link Http2Connection}: frames, HPACK (Huffman-coded
 * literals added to the dynamic table, static indexes), the stream tracker and its row. One op = one stream:
 * a request HEADERS, a response HEADERS and a DATA frame ({@code rest}), or a gRPC call with a request message,
 * a response message and trailers ({@code grpc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Http2Benchmark {
  private Blackhole bh;
  private Http2Connection connection;
  private int stream;
  private long ns;
  private byte[] restRequest;
  private byte[] restResponse;
  private byte[] grpcRequest;
  private byte[] grpcResponse;

  @Setup
  public void setUp(Blackhole bh) {
    this.bh = bh;
    restRequest = new Frames().frame(Http2Connection.HEADERS, 0x5, 0, restBlock()).bytes();
    ByteArrayOutputStream response = new ByteArrayOutputStream();
    response.writeBytes(new Frames().frame(Http2Connection.HEADERS, 0x4, 0, block(new Object[] {
      0x88, "content-type", "application/json", "content-length", "64", "server", "bench"})).bytes());
    response.writeBytes(new Frames().frame(Http2Connection.DATA, 0x1, 0, new byte[64]).bytes());
    restResponse = response.toByteArray();
    ByteArrayOutputStream grpc = new ByteArrayOutputStream();
    grpc.writeBytes(new Frames().frame(Http2Connection.HEADERS, 0x4, 0, block(new Object[] {
      0x83, 0x86, ":path", "/shop.v1.Catalog/GetItem", ":authority", "catalog.shop.svc:50051",
      "content-type", "application/grpc", "te", "trailers", "grpc-timeout", "1S", "user-agent",
      "grpc-java-netty/1.60.0"})).bytes());
    grpc.writeBytes(new Frames().frame(Http2Connection.DATA, 0x1, 0, Frames.grpcMessages(40)).bytes());
    grpcRequest = grpc.toByteArray();
    ByteArrayOutputStream grpcResp = new ByteArrayOutputStream();
    grpcResp.writeBytes(new Frames().frame(Http2Connection.HEADERS, 0x4, 0, block(new Object[] {
      0x88, "content-type", "application/grpc", "grpc-encoding", "identity"})).bytes());
    grpcResp.writeBytes(new Frames().frame(Http2Connection.DATA, 0, 0, Frames.grpcMessages(120)).bytes());
    grpcResp.writeBytes(new Frames().frame(Http2Connection.HEADERS, 0x5, 0, block(new Object[] {
      "grpc-status", "0", "grpc-message", ""})).bytes());
    grpcResponse = grpcResp.toByteArray();
    newConnection();
  }

  private static byte[] restBlock() {
    return block(new Object[] {0x82, 0x87, ":path", "/api/v1/items/12345?page=2", ":authority", "shop.example.com",
      "user-agent", "Mozilla/5.0 (X11; Linux x86_64) bench/1.0", "accept", "application/json"});
  }

  /**
   * A header block: an Integer is an indexed field, a name/value pair a Huffman-coded literal with incremental
   * indexing. Every block carries its literals (which the decoder adds to its table and evicts again), a little
   * more work per stream than a real encoder's indexed repeats.
   */
  private static byte[] block(Object[] fields) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < fields.length; i++) {
      if (fields[i] instanceof Integer index) {
        b.write(index);
      } else {
        b.write(0x40);
        b.writeBytes(HuffmanEncoder.literal((String) fields[i]));
        b.writeBytes(HuffmanEncoder.literal((String) fields[i + 1]));
        i++;
      }
    }
    return b.toByteArray();
  }

  private void newConnection() {
    connection = new Http2Connection(true, bh::consume);
    byte[] start = new Frames().preface().frame(Http2Connection.SETTINGS, 0, 0, new byte[0]).bytes();
    connection.onBytes(true, start, 0, start.length, 0);
    byte[] settings = new Frames().frame(Http2Connection.SETTINGS, 0, 0, new byte[0]).bytes();
    connection.onBytes(false, settings, 0, settings.length, 0);
    stream = 1;
  }

  private static void setStream(byte[] frames, int id) {
    for (int i = 0; i + 9 <= frames.length; ) {
      int len = ((frames[i] & 0xff) << 16) | ((frames[i + 1] & 0xff) << 8) | (frames[i + 2] & 0xff);
      frames[i + 5] = (byte) (id >>> 24);
      frames[i + 6] = (byte) (id >>> 16);
      frames[i + 7] = (byte) (id >>> 8);
      frames[i + 8] = (byte) id;
      i += 9 + len;
    }
  }

  private void exchange(byte[] request, byte[] response) {
    if (stream > (1 << 30)) {
      newConnection();
    }
    setStream(request, stream);
    setStream(response, stream);
    ns += 10_000;
    connection.onBytes(true, request, 0, request.length, ns);
    connection.onBytes(false, response, 0, response.length, ns + 5_000);
    stream += 2;
  }

  @Benchmark
  public void rest() {
    exchange(restRequest, restResponse);
  }

  @Benchmark
  public void grpc() {
    exchange(grpcRequest, grpcResponse);
  }
}
