package io.sluice.l7;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The shared real captures and their tshark oracles, found by walking up to the folder with shared/fixtures. */
public final class Fixtures {
  private Fixtures() {}

  public static Path root() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("fixtures");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no shared/fixtures folder above " + Path.of("").toAbsolutePath());
  }

  public static List<Path> l7Captures() throws IOException {
    try (Stream<Path> files = Files.walk(root().resolve("l7"))) {
      return files.filter(f -> f.toString().endsWith(".pcap")).sorted().toList();
    }
  }

  /** {@code l7/X/Y.pcap} -> {@code oracle/l7/X__Y<suffix>}. */
  static Path oracle(Path capture, String suffix) {
    Path rel = root().resolve("l7").relativize(capture);
    String name = rel.toString().replace("/", "__").replaceAll("\\.pcap$", "");
    return root().resolve("oracle").resolve("l7").resolve(name + suffix);
  }

  /** Reads an RFC 4180 CSV file into maps keyed by the header's names. */
  static List<Map<String, String>> csv(Path file) throws IOException {
    String text = Files.readString(file);
    List<List<String>> records = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        fields.add(field.toString());
        field.setLength(0);
        records.add(fields);
        fields = new ArrayList<>();
      } else if (c != '\r') {
        field.append(c);
      }
    }
    if (field.length() > 0 || !fields.isEmpty()) {
      fields.add(field.toString());
      records.add(fields);
    }
    List<String> header = records.get(0);
    List<Map<String, String>> rows = new ArrayList<>();
    for (List<String> r : records.subList(1, records.size())) {
      Map<String, String> m = new java.util.HashMap<>();
      for (int i = 0; i < header.size(); i++) {
        m.put(header.get(i), i < r.size() ? r.get(i) : "");
      }
      rows.add(m);
    }
    return rows;
  }

  /** "1.000214000" seconds -> ns, exactly. */
  static long secondsToNs(String s) {
    boolean negative = s.startsWith("-");
    String t = negative ? s.substring(1) : s;
    int dot = t.indexOf('.');
    String whole = dot < 0 ? t : t.substring(0, dot);
    String frac = dot < 0 ? "" : t.substring(dot + 1);
    frac = (frac + "000000000").substring(0, 9);
    long ns = Long.parseLong(whole) * 1_000_000_000L + Long.parseLong(frac);
    return negative ? -ns : ns;
  }
}
