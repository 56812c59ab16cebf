package io.sluice.decode.l7.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** dumpcap on lo keeping some TCP ports' packets. Needs root or CAP_NET_RAW. */
public final class LoopbackTcpCapture implements AutoCloseable {
  private final Path file;
  private final Path log;
  private final Process dumpcap;

  private LoopbackTcpCapture(Path file, Path log, Process dumpcap) {
    this.file = file;
    this.log = log;
    this.dumpcap = dumpcap;
  }

  public static LoopbackTcpCapture start(Path dir, String name, int... ports) throws IOException, InterruptedException {
    Path file = dir.resolve(name + ".pcapng");
    Path log = dir.resolve(name + ".dumpcap.log");
    String filter = java.util.stream.IntStream.of(ports).mapToObj(p -> "tcp port " + p)
        .collect(java.util.stream.Collectors.joining(" or "));
    Process p = new ProcessBuilder("dumpcap", "-q", "-i", "lo", "-B", "128", "-f", filter, "-w", file.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LoopbackTcpCapture c = new LoopbackTcpCapture(file, log, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.readString(log).contains("File: ")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        c.close();
        throw new IllegalStateException("dumpcap did not start on lo: " + Files.readString(log));
      }
      Thread.sleep(20);
    }
    return c;
  }

  /** dumpcap drains the kernel's buffer a few times a second: give it a second before stopping. */
  public Path stop() throws IOException, InterruptedException {
    Thread.sleep(1000);
    dumpcap.destroy();
    if (!dumpcap.waitFor(30, TimeUnit.SECONDS)) {
      dumpcap.destroyForcibly();
      throw new IllegalStateException("dumpcap did not stop: " + Files.readString(log));
    }
    return file;
  }

  /** Packets the kernel or dumpcap dropped, from dumpcap's closing line; known after {@link #stop()}. */
  public long dropped() throws IOException {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("received/dropped on interface .*: (\\d+)/(\\d+)")
        .matcher(Files.readString(log));
    if (!m.find()) {
      throw new IllegalStateException("dumpcap printed no drop count: " + Files.readString(log));
    }
    return Long.parseLong(m.group(2));
  }

  @Override
  public void close() throws InterruptedException {
    if (dumpcap.isAlive()) {
      dumpcap.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
