package io.sluice.deploy;

import io.sluice.decode.l7.capture.LoopbackDumpcap;
import io.sluice.decode.l7.capture.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * gRPC-shaped calls for the dashboards' gRPC panels (no fixture capture holds HTTP/2): nghttp posting
 * application/grpc requests to two nghttpd servers, one whose trailers say grpc-status 0 and one that says 5
 * (NOT_FOUND), captured on lo by dumpcap. Made once per JVM, in a temporary directory deleted when the JVM exits.
 */
final class GrpcCapture {
  private static Path capture;

  private GrpcCapture() {}

  static synchronized Path get() throws IOException {
    if (capture != null) {
      return capture;
    }
    for (String tool : List.of("nghttp", "dumpcap")) {
      if (!Tools.installed(tool)) {
        throw new IllegalStateException(tool + " is missing: run scripts/prereqs.sh (nghttp2-client, tshark)");
      }
    }
    Path dir = Files.createTempDirectory("sluice-grpc-fixture");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> io.sluice.stack.TestStack.deleteTree(dir), "grpc-fixture-cleanup"));
    Path docs = Files.createDirectories(dir.resolve("docs"));
    for (String method : List.of("pkg.Store/Get", "pkg.Store/List")) {
      Path file = docs.resolve(method);
      Files.createDirectories(file.getParent());
      Files.write(file, new byte[] {0, 0, 0, 0, 2, 7, 7});
    }
    Files.write(dir.resolve("request.bin"), new byte[] {0, 0, 0, 0, 1, 42});
    Tools.worldReadable(dir);
    List<Process> servers = new ArrayList<>();
    try {
      int ok = server(dir, docs, "0", servers);
      int notFound = server(dir, docs, "5", servers);
      try (LoopbackDumpcap cap = LoopbackDumpcap.start(dir, "grpc", ok, notFound)) {
        call(dir, ok, "/pkg.Store/Get", "/pkg.Store/Get", "/pkg.Store/List");
        call(dir, notFound, "/pkg.Store/Get");
        capture = cap.stop();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      for (Process p : servers) {
        p.destroy();
      }
    }
    return capture;
  }

  private static int server(Path dir, Path docs, String grpcStatus, List<Process> servers)
      throws IOException, InterruptedException {
    int port = Tools.freePort();
    Process p = new ProcessBuilder("nghttpd", "--no-tls", "-d", docs.toString(), "--trailer",
        "grpc-status: " + grpcStatus, "" + port).redirectErrorStream(true)
        .redirectOutput(dir.resolve("nghttpd-" + port + ".log").toFile()).start();
    servers.add(p);
    Tools.waitForPort(port, p);
    return port;
  }

  private static void call(Path dir, int port, String... paths) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("nghttp", "-n", "-H", "content-type: application/grpc", "-d",
        dir.resolve("request.bin").toString()));
    for (String path : paths) {
      command.add("http://127.0.0.1:" + port + path);
    }
    Tools.run(command);
  }
}
