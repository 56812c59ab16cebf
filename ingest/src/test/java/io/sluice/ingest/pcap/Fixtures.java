package io.sluice.ingest.pcap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the shared real captures: walks up from the working directory to the folder holding shared/fixtures. */
final class Fixtures {
  private Fixtures() {}

  static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("fixtures");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no shared/fixtures folder above " + Path.of("").toAbsolutePath());
  }

  static List<Path> allPcaps() throws IOException {
    try (Stream<Path> files = Files.walk(root())) {
      return files.filter(f -> f.toString().endsWith(".pcap")).sorted().toList();
    }
  }

  /** The oracle summary of a capture: {@code flows/X/Y.pcap} -> {@code oracle/flows/X__Y.summary.json}. */
  static Path oracleSummary(Path pcap) {
    Path rel = root().relativize(pcap);
    String top = rel.getName(0).toString();
    String name = top + "/" + rel.subpath(1, rel.getNameCount()).toString().replace("/", "__");
    return root().resolve("oracle").resolve(name.replaceAll("\\.pcap$", ".summary.json"));
  }
}
