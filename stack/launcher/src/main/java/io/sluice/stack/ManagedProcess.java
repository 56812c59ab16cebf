package io.sluice.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One background process of the local stack, tracked by a pid file. Processes start in their own session
 * (setsid), so they outlive the CLI and a Ctrl-C in its terminal, and stop by pid. A pid file is only
 * trusted while the process's command line still names the stack's work directory, so a recycled pid
 * is never signalled.
 */
public final class ManagedProcess {
  private final String name;
  private final Path pidFile;
  private final Path logFile;
  private final String ownerMarker;
  /** The process this instance started, while this JVM runs: no pid file or /proc reading needed for it. */
  private volatile Process started;

  public ManagedProcess(String name, Path workDir, Path logFile) {
    this.name = name;
    this.pidFile = workDir.resolve("pids").resolve(name + ".pid");
    this.logFile = logFile;
    this.ownerMarker = workDir.toAbsolutePath().normalize().toString();
  }

  public String name() {
    return name;
  }

  public Path logFile() {
    return logFile;
  }

  /** Starts the command unless it already runs; the command line must mention the work directory. */
  public long start(List<String> command, Path cwd) {
    Optional<Long> running = pid();
    if (running.isPresent()) {
      return running.get();
    }
    if (command.stream().noneMatch(arg -> arg.contains(ownerMarker))) {
      throw new IllegalArgumentException(name + ": the command must name the work directory " + ownerMarker);
    }
    List<String> full = new ArrayList<>();
    full.add("setsid");
    full.addAll(command);
    try {
      Files.createDirectories(pidFile.getParent());
      Files.createDirectories(logFile.getParent());
      Process process = new ProcessBuilder(full)
          .directory(cwd.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      Files.writeString(pidFile, Long.toString(process.pid()));
      started = process;
      return process.pid();
    } catch (IOException e) {
      throw new StackException(name + ": cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  /** The pid of our process, if it is alive. */
  public Optional<Long> pid() {
    Process own = started;
    if (own != null && own.isAlive()) {
      return Optional.of(own.pid());
    }
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return isOurs(pid) ? Optional.of(pid) : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  public boolean isRunning() {
    return pid().isPresent();
  }

  /** Sends SIGTERM to the process group, waits, then SIGKILL. Returns true if something was stopped. */
  public boolean stop(long graceMillis) {
    Optional<Long> pid = pid();
    if (pid.isEmpty()) {
      deletePidFile();
      return false;
    }
    ProcessHandle handle = ProcessHandle.of(pid.get()).orElse(null);
    List<ProcessHandle> tree = new ArrayList<>();
    if (handle != null) {
      handle.descendants().forEach(tree::add);
      tree.add(handle);
    }
    signalGroup(pid.get(), "TERM");
    long deadline = System.currentTimeMillis() + graceMillis;
    while (System.currentTimeMillis() < deadline && tree.stream().anyMatch(ProcessHandle::isAlive)) {
      sleep(100);
    }
    if (tree.stream().anyMatch(ProcessHandle::isAlive)) {
      signalGroup(pid.get(), "KILL");
      tree.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle p : tree) {
        p.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> p).join();
      }
    }
    forgetStarted();
    deletePidFile();
    return true;
  }

  /** SIGKILL, no grace: for fault tests that need a real crash. Returns the pid that was killed. */
  public long kill() {
    long pid = pid().orElseThrow(() -> new StackException(name + " is not running"));
    signalGroup(pid, "KILL");
    ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join());
    forgetStarted();
    deletePidFile();
    return pid;
  }

  /** Waits until this JVM has reaped the process it started (a signalled child stays "alive" until then). */
  private void forgetStarted() {
    Process own = started;
    if (own != null) {
      try {
        own.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      started = null;
    }
  }

  private boolean isOurs(long pid) {
    Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
    // While a process execs (setsid, then the service), its cmdline reads empty or partial for a moment: look
    // again before taking a live process for someone else's.
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        String text = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
        if (text.contains(ownerMarker)) {
          return true;
        }
      } catch (IOException e) {
        return false;
      }
      sleep(20);
    }
    return false;
  }

  private static void signalGroup(long pid, String signal) {
    // setsid made the process a group leader, so -pid reaches anything it forked too.
    try {
      new ProcessBuilder("kill", "-" + signal, "--", "-" + pid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deletePidFile() {
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException ignored) {
      // A stale pid file is harmless: it is checked against /proc before use.
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StackException("interrupted");
    }
  }
}
