package io.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The Sluice checkout the CLI runs from: the launcher passes it; otherwise it is found from the current folder. */
public final class SluiceHome {
  private SluiceHome() {}

  public static Path find() {
    String given = System.getProperty("sluice.home");
    if (given != null && !given.isBlank()) {
      return Path.of(given).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("sql")) && Files.isRegularFile(dir.resolve("sluice"))) {
        return dir;
      }
    }
    throw new UserError("cannot find the Sluice checkout: run ./sluice from it, or pass -Dsluice.home=DIR");
  }
}
