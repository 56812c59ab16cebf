package io.sluice.cli.demo;

import io.sluice.stack.ManagedProcess;
import io.sluice.stack.StackSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's own background processes (collectors, demo routers, the L7 replay or live capture with its servers and client loop), started with the stack's
 * {@link ManagedProcess}: their own session, a pid file under the work directory, stopped by `sluice down`.
 */
public final class DemoProcesses {
  static final List<String> NAMES = List.of(DemoL7Live.CLIENT, DemoL7Live.CAPTURE, DemoL7Live.NGINX, DemoL7Live.UNBOUND,
      "demo-ns-traffic", DemoSoftflowd.NAME, "demo-l7-replay", "demo-exporter",
      "demo-collector");

  private DemoProcesses() {}

  static ManagedProcess process(StackSettings settings, String name) {
    return new ManagedProcess(name, settings.workDir(), logDir(settings).resolve(name + ".log"));
  }

  static Path logDir(StackSettings settings) {
    return settings.workDir().resolve("demo").resolve("log");
  }

  /** Starts `sluice ARGS` in the background (unless it runs already); returns its pid. */
  static long startSluice(StackSettings settings, String name, String heap, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.add("-Xmx" + heap);
    command.add("-Dsluice.home=" + settings.repoRoot());
    // Names the work directory on the command line: ManagedProcess only trusts a pid whose command line does.
    command.add("-Dsluice.work-dir=" + settings.workDir().toAbsolutePath().normalize());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.sluice.cli.Main");
    command.addAll(args);
    return process(settings, name).start(command, settings.repoRoot());
  }

  /** Stops every demo process of this work directory and deletes its namespace; returns how many processes ran. */
  public static int stopAll(StackSettings settings) {
    int stopped = 0;
    for (String name : NAMES) {
      if (process(settings, name).stop(5000)) {
        stopped++;
      }
    }
    DemoSoftflowd.removeNamespace(settings);
    DemoL7Live.removeNamespaces(settings);
    return stopped;
  }
}
