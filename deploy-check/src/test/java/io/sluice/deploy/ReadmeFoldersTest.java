package io.sluice.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.stack.TestStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README.md's folder table names every top-level folder git tracks, and no folder that is not there. */
class ReadmeFoldersTest {
  private static final Pattern FOLDER = Pattern.compile("`([a-z0-9-]+)/`");

  @Test
  void folderTableMatchesTheTree() throws IOException {
    Path root = TestStack.repoRoot();
    String readme = Files.readString(root.resolve("README.md"));
    int start = readme.indexOf("| folder | what it holds |");
    String table = readme.substring(start, readme.indexOf("\n\n", start));
    TreeSet<String> listed = new TreeSet<>();
    for (String row : table.lines().skip(2).toList()) {
      Matcher m = FOLDER.matcher(row.substring(0, row.indexOf('|', 1)));
      while (m.find()) {
        listed.add(m.group(1));
      }
    }
    TreeSet<String> tree = new TreeSet<>(tracked(root));
    assertEquals(List.copyOf(tree), List.copyOf(listed));
  }

  /** The top-level folders git tracks (not build output or a developer's own folders). */
  private static List<String> tracked(Path root) throws IOException {
    Process git = new ProcessBuilder("git", "ls-tree", "-d", "--name-only", "HEAD").directory(root.toFile())
        .redirectErrorStream(true).start();
    String out = new String(git.getInputStream().readAllBytes());
    try {
      assertEquals(0, git.waitFor(), out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out.lines().filter(n -> !n.startsWith(".")).toList();
  }
}
