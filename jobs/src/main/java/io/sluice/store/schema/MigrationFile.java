package io.sluice.store.schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** One {@code sql/NNN_name.sql} file. The checksum is of the file as written, before placeholders expand. */
public record MigrationFile(int version, String fileName, String text, String checksum) {
  private static final Pattern NAME = Pattern.compile("(\\d{3})_[A-Za-z0-9_\\-]+\\.sql");

  /** Every migration in the folder, in version order; a repeated number is an error. */
  public static List<MigrationFile> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new MigrationException("no migrations folder at " + dir);
    }
    List<MigrationFile> files = new ArrayList<>();
    Map<Integer, String> seen = new HashMap<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path path : entries.sorted().toList()) {
        String name = path.getFileName().toString();
        if (!name.endsWith(".sql")) {
          continue;
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
          throw new MigrationException(name + ": a migration file name must look like 001_what_it_does.sql");
        }
        int version = Integer.parseInt(m.group(1));
        String previous = seen.put(version, name);
        if (previous != null) {
          throw new MigrationException(name + " and " + previous + " share version " + m.group(1) + "; renumber one");
        }
        String text = Files.readString(path, StandardCharsets.UTF_8);
        files.add(new MigrationFile(version, name, text, sha256(text)));
      }
    } catch (IOException e) {
      throw new MigrationException("cannot read migrations in " + dir + ": " + e.getMessage());
    }
    files.sort(Comparator.comparingInt(MigrationFile::version));
    return files;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
