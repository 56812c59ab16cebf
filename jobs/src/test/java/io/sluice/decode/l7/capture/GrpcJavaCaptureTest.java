package io.sluice.decode.l7.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.sluice.decode.l7.http2.Http2StreamRow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real gRPC server and client from grpc-java (Netty, plaintext HTTP/2 with prior knowledge) on 127.0.0.1, captured
 * on lo by dumpcap: unary calls (with and without a deadline, so some send grpc-timeout), a server-streaming call
 * with messages from 0 bytes to 70 kB, a client-streaming call, a unary call failing with NOT_FOUND (grpc-java
 * answers it trailers-only) and a server-streaming call that fails after two messages. All calls share one
 * channel, so one connection and its HPACK tables. Each stream is checked against tshark's dissection (method,
 * path, authority, scheme, status, content type, grpc-timeout, grpc-status and grpc-message) and against what the
 * grpc-java client itself saw (status code, description, messages sent and received); then the same capture cut
 * as the eBPF loader cuts it, where every field present must still be right. No protoc: the methods are
 * described by hand with a byte[] marshaller.
 */
class GrpcJavaCaptureTest {
  static final String SERVICE = "sluice.test.Catalog";
  static final String NOT_FOUND_MESSAGE = "no item 42 — gone 100%";
  /** Sizes of the server-streaming reply's messages: empty, tiny, around the snaps, across DATA frames. */
  static final int[] STREAM_SIZES = {0, 7, 300, 1500, 20_000, 5, 70_000};
  static final int CLIENT_STREAM_MESSAGES = 4;

  @TempDir static Path dir;
  static int port;
  static Path capture;
  static long dropped;
  static Map<String, TsharkHttp2.Stream> oracle;
  /** tshark's gRPC dissector's messages per stream: {request, response}; streams it could not attribute left out. */
  static Map<String, long[]> tsharkMessages;
  /** What the client saw, one per call in the order made. */
  static final List<Observed> calls = new ArrayList<>();

  /** One call as the grpc-java client saw it. */
  record Observed(String path, long deadlineMs, int sent, int received, int code, String description) {}

  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  };

  static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  static final MethodDescriptor<byte[], byte[]> GET = method("Get", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<byte[], byte[]> LIST = method("List", MethodDescriptor.MethodType.SERVER_STREAMING);
  static final MethodDescriptor<byte[], byte[]> FIND = method("Find", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<byte[], byte[]> LIST_THEN_FAIL =
      method("ListThenFail", MethodDescriptor.MethodType.SERVER_STREAMING);
  static final MethodDescriptor<byte[], byte[]> PUT = method("Put", MethodDescriptor.MethodType.CLIENT_STREAMING);

  static ServerServiceDefinition catalog() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(GET, ServerCalls.asyncUnaryCall((req, out) -> {
          out.onNext(("item " + new String(req, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
          out.onCompleted();
        }))
        .addMethod(LIST, ServerCalls.asyncServerStreamingCall((req, out) -> {
          for (int size : STREAM_SIZES) {
            out.onNext(new byte[size]);
          }
          out.onCompleted();
        }))
        .addMethod(FIND, ServerCalls.asyncUnaryCall((req, out) ->
            out.onError(Status.NOT_FOUND.withDescription(NOT_FOUND_MESSAGE).asRuntimeException())))
        .addMethod(LIST_THEN_FAIL, ServerCalls.asyncServerStreamingCall((req, out) -> {
          out.onNext(new byte[10]);
          out.onNext(new byte[10]);
          out.onError(Status.NOT_FOUND.withDescription(NOT_FOUND_MESSAGE).asRuntimeException());
        }))
        .addMethod(PUT, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<byte[]>() {
          int count;

          @Override
          public void onNext(byte[] value) {
            count++;
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {
            out.onNext(new byte[] {(byte) count});
            out.onCompleted();
          }
        }))
        .build();
  }

  @BeforeAll
  static void capture() throws Exception {
    assumeTrue(Tools.installed("dumpcap") && Tools.installed("tshark"), "needs dumpcap and tshark");
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(catalog())
        .build().start();
    port = server.getPort();
    try (LoopbackDumpcap cap = LoopbackDumpcap.start(dir, "grpc", port)) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
      try {
        // Deadlines far above a call's time on a busy machine: one that expired would change the calls' statuses.
        for (int i = 0; i < 5; i++) {
          calls.add(call(channel, GET, List.of(("k" + i).getBytes(StandardCharsets.UTF_8)), i % 2 == 0 ? 50_000 : 0));
        }
        calls.add(call(channel, LIST, List.of(new byte[] {1}), 200_000));
        calls.add(call(channel, FIND, List.of(new byte[] {42}), 30_000));
        calls.add(call(channel, LIST_THEN_FAIL, List.of(new byte[0]), 0));
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < CLIENT_STREAM_MESSAGES; i++) {
          parts.add(new byte[100 * i]);
        }
        calls.add(call(channel, PUT, parts, 0));
        calls.add(call(channel, GET, List.of("last".getBytes(StandardCharsets.UTF_8)), 600_000));
      } finally {
        channel.shutdown().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdown().awaitTermination(10, TimeUnit.SECONDS);
      }
      capture = cap.stop();
      dropped = cap.dropped();
    }
    oracle = TsharkHttp2.streams(capture, port);
    tsharkMessages = tsharkMessages(capture, port);
  }

  /**
   * Counts tshark's gRPC messages (one grpc.message_length each) per "tcp.stream/stream id" and direction. A packet
   * holding frames of more than one stream cannot be attributed from these fields: its streams are left out.
   */
  static Map<String, long[]> tsharkMessages(Path capture, int port) throws Exception {
    String out = Tools.run(List.of("tshark", "-o", "tcp.reassemble_out_of_order:TRUE", "-r", capture.toString(), "-d", "tcp.port==" + port + ",http2", "-Y",
        "grpc", "-T", "fields", "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "http2.streamid", "-e",
        "grpc.message_length", "-E", "occurrence=a"));
    Map<String, long[]> counts = new java.util.HashMap<>();
    java.util.Set<String> ambiguous = new java.util.HashSet<>();
    for (String line : out.split("\n")) {
      String[] f = line.split("\t", -1);
      if (f.length < 4 || f[3].isEmpty()) {
        continue;
      }
      java.util.Set<String> ids = new java.util.TreeSet<>(List.of(f[2].split(",")));
      ids.remove("0");
      if (ids.size() != 1) {
        ids.forEach(id -> ambiguous.add(f[0] + "/" + id));
        continue;
      }
      long[] c = counts.computeIfAbsent(f[0] + "/" + ids.iterator().next(), k -> new long[2]);
      c[Integer.parseInt(f[1]) == port ? 1 : 0] += f[3].split(",").length;
    }
    ambiguous.forEach(counts::remove);
    return counts;
  }

  /**
   * tshark's streams in stream id order, one per call: the calls are sequential on one channel, so each opens the
   * next stream of one connection (grpc-java's first call is not stream 1). The paths are checked against the calls.
   */
  static Map<String, Observed> callsByStream() {
    List<String> keys = new ArrayList<>(oracle.keySet());
    keys.sort(java.util.Comparator.comparingInt(k -> Integer.parseInt(k.substring(k.indexOf('/') + 1))));
    assertEquals(calls.size(), keys.size(), "tshark's streams: " + oracle);
    Map<String, Observed> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      assertTrue(keys.get(i).startsWith("0/"), "one connection: " + keys);
      assertEquals(calls.get(i).path, oracle.get(keys.get(i)).path, keys.get(i));
      out.put(keys.get(i), calls.get(i));
    }
    return out;
  }

  /** Makes one call to its end, counting what was sent and received, and keeps its status as the client saw it. */
  static Observed call(ManagedChannel channel, MethodDescriptor<byte[], byte[]> m, List<byte[]> requests,
      long deadlineMs) throws Exception {
    CallOptions options = deadlineMs > 0 ? CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
        : CallOptions.DEFAULT;
    ClientCall<byte[], byte[]> call = channel.newCall(m, options);
    CompletableFuture<Status> closed = new CompletableFuture<>();
    AtomicInteger received = new AtomicInteger();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        received.incrementAndGet();
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.request(Integer.MAX_VALUE);
    for (byte[] r : requests) {
      call.sendMessage(r);
    }
    call.halfClose();
    Status s = closed.get(120, TimeUnit.SECONDS);
    return new Observed("/" + m.getFullMethodName(), deadlineMs, requests.size(), received.get(), s.getCode().value(),
        s.getDescription() == null ? "" : s.getDescription());
  }

  @Test
  void theClientSawWhatTheServerMeant() {
    List<String> seen = new ArrayList<>();
    for (Observed o : calls) {
      seen.add(o.path.substring(o.path.lastIndexOf('/') + 1) + " " + o.code + " " + o.received);
    }
    assertEquals(List.of("Get 0 1", "Get 0 1", "Get 0 1", "Get 0 1", "Get 0 1", "List 0 " + STREAM_SIZES.length,
        "Find 5 0", "ListThenFail 5 2", "Put 0 1", "Get 0 1"), seen);
    assertEquals(NOT_FOUND_MESSAGE, calls.get(6).description);
  }

  @Test
  void everyCallAsTsharkAndTheClientSawIt() throws Exception {
    Map<String, Http2StreamRow> rows = Http2CaptureTest.parse(capture, -1, null);
    Map<String, Observed> byStream = callsByStream();
    assertEquals(oracle.keySet(), rows.keySet());
    String notFound = null;
    int countedByTshark = 0;
    for (Map.Entry<String, Observed> e : byStream.entrySet()) {
      Observed o = e.getValue();
      String key = e.getKey();
      notFound = o.path.endsWith("/Find") ? key : notFound;
      TsharkHttp2.Stream t = oracle.get(key);
      Http2StreamRow r = rows.get(key);
      String at = key + " " + o + " tshark " + t + " row " + r + " (dumpcap dropped " + dropped + ")";
      assertEquals(o.path, t.path, at);
      assertEquals(List.of("POST", "http", "200", "application/grpc"),
          List.of(t.method, t.scheme, "" + t.status, t.contentType), at);
      if (dropped > 0 && (r.incomplete() || !r.status().equals(Http2StreamRow.STATUS_ANSWERED))) {
        fieldsPresentAreRight(o, t, r, at); // the capture lost bytes: nothing may be wrong, something may be missing
        continue;
      }
      assertEquals(List.of(t.method, t.path, t.authority, t.scheme, t.status, t.contentType, "answered", false, true),
          List.of(r.method(), r.path(), r.host(), r.scheme(), r.statusCode(), r.contentType(), r.status(),
              r.incomplete(), r.grpc()), at);
      assertEquals(List.of(SERVICE, o.path.substring(o.path.lastIndexOf('/') + 1)),
          List.of(r.grpcService(), r.grpcMethod()), at);
      // grpc-status and grpc-message: tshark's header fields (as sent, percent-encoded) and the client's status
      assertEquals(t.grpcStatus, r.grpcStatus(), at);
      assertEquals(o.code, r.grpcStatus(), at);
      assertEquals(o.description, r.grpcMessage(), at);
      assertEquals(percentDecoded(t.grpcMessage), r.grpcMessage(), at);
      assertEquals(List.of((long) o.sent, (long) o.received), List.of(r.grpcRequestMessages(),
          r.grpcResponseMessages()), at);
      long[] tm = tsharkMessages.get(key);
      if (tm != null) {
        assertEquals(List.of(tm[0], tm[1]), List.of(r.grpcRequestMessages(), r.grpcResponseMessages()), at);
        countedByTshark++;
      }
      assertEquals(timeoutNs(t.grpcTimeout), r.grpcTimeoutNs(), at);
      assertEquals(o.deadlineMs > 0, r.grpcTimeoutNs() > 0, at);
      assertTrue(r.grpcTimeoutNs() <= o.deadlineMs * 1_000_000L, at);
      assertTrue(r.latencyNs() >= 0 && r.durationNs() >= r.latencyNs(), at);
    }
    assertEquals(NOT_FOUND_MESSAGE, rows.get(notFound).grpcMessage(), "the NOT_FOUND call's message, decoded");
    assertTrue(tsharkMessages.containsKey(keyOf(byStream, "/List")), "tshark counted the streaming reply");
    System.out.printf("gRPC whole: %d calls, message counts of %d also counted by tshark%n", byStream.size(),
        countedByTshark);
  }

  private static String keyOf(Map<String, Observed> byStream, String pathEnd) {
    return byStream.entrySet().stream().filter(e -> e.getValue().path.endsWith(pathEnd)).findFirst().orElseThrow()
        .getKey();
  }

  /**
   * The capture begun mid-connection (a quarter, then half, of its packets dropped), whole and as the loader cuts
   * it: every row agrees with the whole capture's and tshark's on what it fills, the rest marked.
   */
  @Test
  void startedMidConnection() throws Exception {
    int packets = MidConnectionCut.frames(capture).size();
    int withPathAndStatus = 0;
    for (int drop : new int[] {packets / 4, packets / 2}) {
      for (int snap : new int[] {-1, 256}) {
        MidConnectionCut.Result r = MidConnectionCut.check(capture, drop, snap, dir, port);
        System.out.printf("gRPC mid-connection after packet %d of %d, snap %d: %s%n", drop, packets, snap, r);
        assertTrue(r.rows() > 0 && (snap > 0 || r.rows() >= r.wholeCaptureStreamsAfterCut() / 2), r.toString());
        withPathAndStatus += r.withPathAndStatus();
      }
    }
    assertTrue(withPathAndStatus > 0);
  }

  /** The loader's default snap (256) and its maximum (1914): fields never wrong, unknown ones marked. */
  @Test
  void asTheLoaderCutsIt() throws Exception {
    Map<String, Observed> byStream = callsByStream();
    for (int snap : new int[] {256, 1914}) {
      Map<String, Http2StreamRow> rows = Http2CaptureTest.parse(capture, snap, null);
      int whole = 0;
      for (Map.Entry<String, Http2StreamRow> e : rows.entrySet()) {
        Http2StreamRow r = e.getValue();
        TsharkHttp2.Stream t = oracle.get(e.getKey());
        assertTrue(t != null || r.incomplete(), "a row tshark does not know must be marked: " + r);
        if (t == null) {
          continue;
        }
        Observed o = byStream.get(e.getKey());
        String at = "snap " + snap + " " + e.getKey() + " " + o + " tshark " + t + " row " + r;
        fieldsPresentAreRight(o, t, r, at);
        if (!r.incomplete() && r.status().equals(Http2StreamRow.STATUS_ANSWERED)) {
          assertEquals(List.of((long) o.sent, (long) o.received, o.code, o.description),
              List.of(r.grpcRequestMessages(), r.grpcResponseMessages(), r.grpcStatus(), r.grpcMessage()), at);
          whole++;
        }
      }
      System.out.printf("gRPC snap %d: %d of %d calls whole, %d rows%n", snap, whole, calls.size(), rows.size());
      if (snap == 1914) {
        // the unary calls before the 70 kB reply travel in segments far below 1914 bytes: nothing cut
        for (String key : byStream.keySet()) {
          if (byStream.get(key).path.endsWith("/List")) {
            break;
          }
          assertEquals(List.of(false, "answered"), List.of(rows.get(key).incomplete(), rows.get(key).status()), key);
        }
      }
    }
  }

  /**
   * The capture rule README.md describes for HTTP/2 (frame headers and all but DATA's payload kept): every call's
   * headers and status whole, body sizes exact; the message counts, which need DATA, are lower bounds and marked.
   */
  @Test
  void frameAwareCaptureKeepsEveryCallsStatus() throws Exception {
    List<FrameAwareCut> cuts = new ArrayList<>();
    Map<String, Http2StreamRow> rows = Http2CaptureTest.parseFrameAware(capture, cuts);
    Map<String, Http2StreamRow> whole = Http2CaptureTest.parse(capture, -1, null);
    Map<String, Observed> byStream = callsByStream();
    assertEquals(byStream.keySet(), rows.keySet());
    for (Map.Entry<String, Observed> e : byStream.entrySet()) {
      Observed o = e.getValue();
      Http2StreamRow w = whole.get(e.getKey());
      Http2StreamRow r = rows.get(e.getKey());
      String at = e.getKey() + " " + o + " row " + r;
      assertEquals(List.of(w.path(), w.host(), w.statusCode(), w.contentType(), "answered", w.requestBodySize(),
          w.responseBodySize(), o.code, o.description, w.grpcTimeoutNs()), List.of(r.path(), r.host(),
          r.statusCode(), r.contentType(), r.status(), r.requestBodySize(), r.responseBodySize(), r.grpcStatus(),
          r.grpcMessage(), r.grpcTimeoutNs()), at);
      assertTrue(r.incomplete() && r.grpcRequestMessages() <= o.sent && r.grpcResponseMessages() <= o.received, at);
    }
    System.out.printf("gRPC frame-aware: %d calls with their status; payload kept %d of %d bytes%n", rows.size(),
        cuts.stream().mapToLong(c -> c.kept).sum(), cuts.stream().mapToLong(c -> c.seen).sum());
  }

  /** The same capture through the L7 engine (`sluice l7`), recognised by its preface: one http row per call. */
  @Test
  void throughTheL7Engine() throws Exception {
    throughTheL7Engine(false);
  }

  /** The same, with the conversation written to bytes and read back after every packet, as in keyed state. */
  @Test
  void throughConversationsKeptAsBytes() throws Exception {
    throughTheL7Engine(true);
  }

  private void throughTheL7Engine(boolean keyedState) throws Exception {
    EngineRows rows = EngineRows.of(capture, keyedState);
    List<String> engine = new ArrayList<>();
    for (Map<String, Object> c : rows.http2()) {
      engine.add(List.of(c.get("stream_id"), c.get("version"), c.get("status"), c.get("incomplete"), c.get("path"),
          c.get("grpc_service"), c.get("grpc_method"), c.get("grpc_status"), c.get("grpc_message"),
          c.get("grpc_request_messages"), c.get("grpc_response_messages"), (Long) c.get("grpc_timeout_ns") > 0)
          .toString());
    }
    List<String> expected = new ArrayList<>();
    for (Map.Entry<String, Observed> e : callsByStream().entrySet()) {
      Observed o = e.getValue();
      int streamId = Integer.parseInt(e.getKey().substring(e.getKey().indexOf('/') + 1));
      expected.add(List.of(streamId, "HTTP/2", "answered", 0, o.path, SERVICE,
          o.path.substring(o.path.lastIndexOf('/') + 1), o.code, o.description, (long) o.sent, (long) o.received,
          o.deadlineMs > 0).toString());
    }
    Collections.sort(expected);
    Collections.sort(engine);
    assertEquals(expected, engine);
    assertEquals(List.of(), rows.http1(), "no connection taken for HTTP/1");
  }

  /** Every field the row has agrees with tshark and the client; counts of an incomplete row are lower bounds. */
  private static void fieldsPresentAreRight(Observed o, TsharkHttp2.Stream t, Http2StreamRow r, String at) {
    agreesOrUnknown(t.method, r.method(), r, at);
    agreesOrUnknown(t.path, r.path(), r, at);
    agreesOrUnknown(t.authority, r.host(), r, at);
    agreesOrUnknown(t.contentType, r.contentType(), r, at);
    if (r.statusCode() != 0) {
      assertEquals(t.status, r.statusCode(), at);
    }
    if (r.grpcStatus() != -1 || !r.incomplete()) {
      assertEquals(o.code, r.grpcStatus(), at);
    }
    agreesOrUnknown(o.description, r.grpcMessage(), r, at);
    if (r.grpcTimeoutNs() != 0 || !r.incomplete()) {
      assertEquals(timeoutNs(t.grpcTimeout), r.grpcTimeoutNs(), at);
    }
    if (r.grpc()) {
      assertEquals(r.path().isEmpty() ? "" : SERVICE, r.grpcService(), at);
    }
    if (r.incomplete()) {
      assertTrue(r.grpcRequestMessages() <= o.sent && r.grpcResponseMessages() <= o.received, at);
    } else {
      assertEquals(List.of((long) o.sent, (long) o.received), List.of(r.grpcRequestMessages(),
          r.grpcResponseMessages()), at);
    }
  }

  private static void agreesOrUnknown(String expected, String ours, Http2StreamRow r, String at) {
    if (!ours.isEmpty() || !r.incomplete()) {
      assertEquals(expected, ours, at);
    }
  }

  /** grpc-timeout as the gRPC over HTTP/2 spec writes it (digits, then one of H M S m u n), read here on its own. */
  private static long timeoutNs(String v) {
    if (v.isEmpty()) {
      return 0;
    }
    long n = Long.parseLong(v.substring(0, v.length() - 1));
    long unit = switch (v.charAt(v.length() - 1)) {
      case 'H' -> TimeUnit.HOURS.toNanos(1);
      case 'M' -> TimeUnit.MINUTES.toNanos(1);
      case 'S' -> TimeUnit.SECONDS.toNanos(1);
      case 'm' -> TimeUnit.MILLISECONDS.toNanos(1);
      case 'u' -> TimeUnit.MICROSECONDS.toNanos(1);
      case 'n' -> 1;
      default -> throw new IllegalArgumentException("grpc-timeout " + v);
    };
    return n * unit;
  }

  /** grpc-message on the wire is percent-encoded UTF-8 (no '+' for space): java.net's decoder, '+' kept. */
  private static String percentDecoded(String v) {
    return java.net.URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
