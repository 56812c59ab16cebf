package io.sluice.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Builds and runs `java` command lines over a folder of Maven-resolved jars. */
final class JavaCommand {
  private JavaCommand() {}

  static String javaBinary() {
    return ProcessHandle.current().info().command()
        .filter(cmd -> cmd.endsWith("/java"))
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** The class path folder produced by `mvn package` in one of the stack/ modules. */
  static Path libDir(StackSettings settings, String module) {
    Path lib = settings.repoRoot().resolve("stack").resolve(module).resolve("target").resolve("lib");
    try (var jars = Files.list(lib)) {
      if (jars.anyMatch(p -> p.toString().endsWith(".jar"))) {
        return lib;
      }
    } catch (IOException e) {
      // reported below
    }
    throw new StackException("The " + module + " class path is missing at " + lib + ". Build it with: mvn -q -DskipTests "
        + "package -pl stack/" + module + " (./sluice does this on first use).");
  }

  static List<String> command(List<String> jvmArgs, Path libDir, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(libDir.toAbsolutePath() + "/*");
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  /** Runs to completion and returns stdout+stderr; fails with the output when the exit code is not 0. */
  static String runToCompletion(List<String> command, long timeoutSeconds, String what) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new StackException(what + " did not finish within " + timeoutSeconds + " s");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new StackException(what + " failed (exit " + process.exitValue() + "):\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new StackException(what + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException(what + " was interrupted");
    }
  }
}
