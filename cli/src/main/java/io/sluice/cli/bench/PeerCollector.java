package io.sluice.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The collectors Sluice is compared with, fed the same generated stream: nfdump's nfcapd and pmacct's nfacctd. */
enum PeerCollector {
  NFCAPD("nfcapd", "/usr/bin/nfcapd"),
  NFACCTD("nfacctd", "/usr/sbin/nfacctd");

  private final String label;
  private final String binary;

  PeerCollector(String label, String binary) {
    this.label = label;
    this.binary = binary;
  }

  String label() {
    return label;
  }

  boolean installed() {
    return Files.isExecutable(Path.of(binary));
  }

  /** What a peer stored: records (-1 where it does not say), bytes and packets. */
  record Stored(long records, long octets, long packets) {}

  Process start(int port, Path dir) throws IOException {
    List<String> command = switch (this) {
      case NFCAPD -> List.of(binary, "-b", "127.0.0.1", "-p", Integer.toString(port), "-w", dir.toString(), "-t", "3600");
      // One CSV per 2-second refresh (%s is the epoch), aggregated by protocol: totals, not single records.
      case NFACCTD -> List.of(binary, "-L", "127.0.0.1", "-l", Integer.toString(port), "-P", "print", "-c", "proto",
          "-O", "csv", "-r", "2", "-o", dir.resolve("pmacct-%s.csv").toString());
    };
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(label + ".log").toFile()).start();
  }

  /** Stops the peer so it writes out what it holds, then reads its totals. */
  Stored stopAndCount(Process process, Path dir) throws IOException, InterruptedException {
    Thread.sleep(this == NFACCTD ? 5000 : 1000); // let the last refresh happen
    stopTree(process);
    return switch (this) {
      case NFCAPD -> nfdumpTotals(dir);
      case NFACCTD -> pmacctTotals(dir);
    };
  }

  /** nfacctd forks a process per plugin: stop them all, and kill whatever ignores SIGTERM. */
  private static void stopTree(Process process) throws InterruptedException {
    List<ProcessHandle> tree = new java.util.ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.currentTimeMillis() + 15_000;
    while (tree.stream().anyMatch(ProcessHandle::isAlive) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  private static Stored nfdumpTotals(Path dir) throws IOException, InterruptedException {
    Process nfdump = new ProcessBuilder("nfdump", "-R", dir.toString(), "-I").redirectErrorStream(true).start();
    String text = new String(nfdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    nfdump.waitFor(60, TimeUnit.SECONDS);
    return new Stored(field(text, "Flows"), field(text, "Bytes"), field(text, "Packets"));
  }

  private static long field(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + ":\\s*(\\d+)").matcher(text);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static Stored pmacctTotals(Path dir) throws IOException {
    long octets = 0;
    long packets = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path csv : files.filter(p -> p.getFileName().toString().startsWith("pmacct-")).toList()) {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) {
          continue;
        }
        List<String> header = List.of(lines.get(0).split(","));
        int p = header.indexOf("PACKETS");
        int b = header.indexOf("BYTES");
        for (String line : lines.subList(1, lines.size())) {
          String[] cells = line.split(",");
          packets += Long.parseLong(cells[p].trim());
          octets += Long.parseLong(cells[b].trim());
        }
      }
    }
    return new Stored(-1, octets, packets);
  }
}
