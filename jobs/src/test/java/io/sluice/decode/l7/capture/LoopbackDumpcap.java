package io.sluice.decode.l7.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** dumpcap on lo keeping the packets a capture filter selects: what really went over loopback. Needs root or CAP_NET_RAW. */
public final class LoopbackDumpcap implements AutoCloseable {
  private final Path file;
  private final Path log;
  private final Process dumpcap;

  private LoopbackDumpcap(Path file, Path log, Process dumpcap) {
    this.file = file;
    this.log = log;
    this.dumpcap = dumpcap;
  }

  /** The TCP connections to or from these ports. */
  public static LoopbackDumpcap start(Path dir, String name, int... ports) throws IOException, InterruptedException {
    return start(dir, name, java.util.stream.IntStream.of(ports).mapToObj(p -> "tcp port " + p)
        .collect(java.util.stream.Collectors.joining(" or ")));
  }

  /** The UDP datagrams sent to these ports (what an exporter put on the wire). */
  public static LoopbackDumpcap udpTo(Path dir, String name, int... ports) throws IOException, InterruptedException {
    return start(dir, name, java.util.stream.IntStream.of(ports).mapToObj(p -> "udp dst port " + p)
        .collect(java.util.stream.Collectors.joining(" or ")));
  }

  private static LoopbackDumpcap start(Path dir, String name, String filter) throws IOException, InterruptedException {
    Path file = dir.resolve(name + ".pcapng");
    Path log = dir.resolve(name + ".dumpcap.log");
    Process p = new ProcessBuilder("dumpcap", "-q", "-i", "lo", "-B", "128", "-f", filter, "-w", file.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LoopbackDumpcap c = new LoopbackDumpcap(file, log, p);
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
