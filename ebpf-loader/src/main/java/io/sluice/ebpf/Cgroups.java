package io.sluice.ebpf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Who owns a cgroup: its path in the cgroup v2 tree (a cgroup id is its directory's inode number), the
 * container id in that path, and pod and namespace when the process carries the Kubernetes downward-API
 * variables POD_NAME and POD_NAMESPACE.
 */
public final class Cgroups {
  private static final Pattern CONTAINER = Pattern.compile(
      "(?:docker-|cri-containerd-|crio-|libpod-|containerd-|/docker/|/containerd/|/crio/)?([0-9a-f]{64})(?:\\.scope)?$");

  private final Path root;
  private final Map<Long, String> paths = new ConcurrentHashMap<>();
  private final Map<Long, String[]> pods = new ConcurrentHashMap<>();
  private volatile long lastScan;

  public Cgroups(Path root) {
    this.root = root;
  }

  /** The cgroup v2 mount: /sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts. */
  public static Path findRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
        String[] f = line.split(" ");
        if (f.length > 2 && f[2].equals("cgroup2")) {
          return Path.of(f[1]);
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    return null;
  }

  /** The cgroup's path below the root ("/kubepods/…"), or null when unknown. */
  public String path(long cgroupId) {
    if (cgroupId == 0 || root == null) {
      return null;
    }
    String p = paths.get(cgroupId);
    if (p == null && System.nanoTime() - lastScan > 1_000_000_000L) {
      scan();
      p = paths.get(cgroupId);
    }
    return p;
  }

  private synchronized void scan() {
    lastScan = System.nanoTime();
    try (Stream<Path> dirs = Files.walk(root, 12)) {
      dirs.filter(Files::isDirectory).forEach(d -> {
        try {
          Object ino = Files.getAttribute(d, "unix:ino");
          paths.put(((Number) ino).longValue(), "/" + root.relativize(d));
        } catch (IOException | UnsupportedOperationException ignored) {
          // a cgroup removed while walking, or a filesystem without inode numbers: that path stays unnamed
        }
      });
    } catch (IOException | java.io.UncheckedIOException ignored) {
      // partial results are still useful
    }
  }

  public String containerId(long cgroupId) {
    return containerIdOf(path(cgroupId));
  }

  /** The container id in a cgroup path (docker, containerd, CRI-O, podman layouts), or "". */
  public static String containerIdOf(String cgroupPath) {
    if (cgroupPath == null) {
      return "";
    }
    Matcher m = CONTAINER.matcher(cgroupPath);
    return m.find() ? m.group(1) : "";
  }

  /** The cgroup v2 path of a live process, from /proc/PID/cgroup ("0::/path"). */
  public static String pathOfPid(int pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
        if (line.startsWith("0::")) {
          return line.substring(3);
        }
      }
    } catch (IOException ignored) {
      // the process is gone
    }
    return null;
  }

  /** [pod, namespace] from the process's downward-API environment, cached per cgroup; null when absent. */
  public String[] pod(long cgroupId, int pid) {
    String[] known = pods.get(cgroupId);
    if (known != null || pid <= 0) {
      return known == null || known.length == 0 ? null : known;
    }
    String[] found = podOf(pid);
    pods.put(cgroupId, found == null ? new String[0] : found);
    return found;
  }

  static String[] podOf(int pid) {
    try {
      String env = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
      String pod = null;
      String ns = null;
      for (String kv : env.split("\0")) {
        if (kv.startsWith("POD_NAME=")) {
          pod = kv.substring(9);
        } else if (kv.startsWith("POD_NAMESPACE=")) {
          ns = kv.substring(14);
        }
      }
      return pod == null ? null : new String[] {pod, ns == null ? "" : ns};
    } catch (IOException e) {
      return null;
    }
  }
}
