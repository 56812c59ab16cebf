package io.sluice.jobs.flow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * dumpcap on the loopback interface, keeping the UDP datagrams sent to some ports: what an exporter really put on the
 * wire, independent of what the collector made of it. Needs the capture privilege (root or CAP_NET_RAW).
 */
final class LoopbackCapture implements AutoCloseable {
  final Path file;
  private final Path log;
  private final Process dumpcap;

  private LoopbackCapture(Path file, Path log, Process dumpcap) {
    this.file = file;
    this.log = log;
    this.dumpcap = dumpcap;
  }

  /** Starts capturing and returns once dumpcap has opened its file (packets from then on are kept). */
  static LoopbackCapture start(Path dir, int... udpPorts) throws IOException, InterruptedException {
    Path file = dir.resolve("loopback.pcapng");
    Path log = dir.resolve("dumpcap.log");
    String filter = IntStream.of(udpPorts).mapToObj(p -> "udp dst port " + p).collect(Collectors.joining(" or "));
    Process p = new ProcessBuilder("dumpcap", "-q", "-i", "lo", "-f", filter, "-w", file.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    LoopbackCapture capture = new LoopbackCapture(file, log, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.readString(log).contains("File: ")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        capture.close();
        throw new IllegalStateException("dumpcap did not start capturing on lo: " + Files.readString(log));
      }
      Thread.sleep(20);
    }
    return capture;
  }

  /**
   * Stops dumpcap and returns the capture file. dumpcap drains the kernel's buffer a few times a second and loses what
   * is still in it at SIGTERM, so it gets a second first.
   */
  Path stop() throws IOException, InterruptedException {
    Thread.sleep(1000);
    dumpcap.destroy();
    if (!dumpcap.waitFor(30, TimeUnit.SECONDS)) {
      dumpcap.destroyForcibly();
      throw new IllegalStateException("dumpcap did not stop: " + Files.readString(log));
    }
    return file;
  }

  @Override
  public void close() throws InterruptedException {
    if (dumpcap.isAlive()) {
      dumpcap.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
