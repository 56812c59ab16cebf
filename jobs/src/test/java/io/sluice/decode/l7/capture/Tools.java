package io.sluice.decode.l7.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: runs a command to its end and returns its output; finds free ports; starts nginx. */
public final class Tools {
  private Tools() {}

  public static String run(List<String> command) throws IOException, InterruptedException {
    Path err = Files.createTempFile("tool", ".err");
    Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + command);
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(command + " exited " + p.exitValue() + ":\n" + text + Files.readString(err));
    }
    Files.deleteIfExists(err);
    return text;
  }

  /** Runs a command to its end with its output in a temporary file, which the caller deletes. */
  public static Path runToFile(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("tool", ".out");
    Path err = Files.createTempFile("tool", ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + command);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(command + " exited " + p.exitValue() + ":\n" + Files.readString(err));
    }
    Files.deleteIfExists(err);
    return out;
  }

  public static boolean installed(String tool) {
    try {
      Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).start();
      return p.waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /**
   * A free loopback port below the kernel's ephemeral range (io.sluice.stack.Ports.free): a port from bind(0) can be
   * taken as the local port of an outgoing connection (h2load's, a Kafka client's) before the server binds it, and
   * a capture filtering on it would then also hold that connection.
   */
  public static int freePort() {
    return io.sluice.stack.Ports.free();
  }

  /** nginx's workers run as nobody: the test's files must be readable by all. */
  public static void worldReadable(Path dirOrFile) throws IOException {
    try (java.util.stream.Stream<Path> all = Files.walk(dirOrFile)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
            Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  /** Waits until something accepts connections on the port, or the process died. */
  public static void waitForPort(int port, Process p) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException("server on port " + port + " did not start");
        }
        Thread.sleep(50);
      }
    }
  }

  /** nginx in the foreground with this http{} body, its files under dir. */
  public static Process nginx(Path dir, String httpBody, int port) throws IOException, InterruptedException {
    String conf = "daemon off;\nworker_processes 1;\nerror_log " + dir.resolve("error.log") + ";\npid "
        + dir.resolve("nginx.pid") + ";\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n"
        + "  client_body_temp_path " + dir.resolve("body") + ";\n  proxy_temp_path " + dir.resolve("proxy")
        + ";\n  fastcgi_temp_path " + dir.resolve("fcgi") + ";\n  uwsgi_temp_path " + dir.resolve("uwsgi")
        + ";\n  scgi_temp_path " + dir.resolve("scgi") + ";\n" + httpBody + "\n}\n";
    Path file = dir.resolve("nginx.conf");
    Files.writeString(file, conf);
    Process p = new ProcessBuilder("nginx", "-c", file.toString(), "-p", dir.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("nginx.out").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
        return p;
      } catch (IOException notYet) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("nginx.out"))
              + Files.readString(dir.resolve("error.log")));
        }
        Thread.sleep(50);
      }
    }
  }
}
