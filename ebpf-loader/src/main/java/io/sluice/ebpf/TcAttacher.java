package io.sluice.ebpf;

import io.sluice.ebpf.nat.BpfException;
import io.sluice.ebpf.nat.LibBpf;
import io.sluice.ebpf.nat.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Attaches the capture programs as tc filters (clsact ingress and egress) with this loader's own handle and
 * priority, so its filters can be found again. Which interfaces it touched, and whether it created their clsact
 * qdisc, is written to a state file, so a restart after a crash removes what the crashed run left behind.
 */
public final class TcAttacher {
  private static final Logger LOG = Logger.getLogger(TcAttacher.class.getName());
  public static final int HANDLE = 0x51CE;
  public static final int PRIORITY = 0xC51C;
  private static final int BPF_TC_INGRESS = 1;
  private static final int BPF_TC_EGRESS = 2;
  private static final int BPF_TC_F_REPLACE = 1;
  private static final int ENOENT = 2;
  private static final int ENODEV = 19;
  private static final int EEXIST = 17;

  private final LibBpf bpf = Native.bpf();
  private final NetNs netns;
  private final Path stateFile;
  /** ifindex → [name, created qdisc]. */
  private final Map<Integer, Object[]> attached = new LinkedHashMap<>();

  public TcAttacher(NetNs netns, Path stateDir) {
    this.netns = netns;
    this.stateFile = stateDir.resolve((netns.name() == null ? "host" : "netns-" + netns.name()) + ".tc");
  }

  /** Removes filters and qdiscs a previous run of this loader left in this namespace. */
  public void removeStale() {
    if (!Files.isRegularFile(stateFile)) {
      return;
    }
    try {
      for (String line : Files.readAllLines(stateFile)) {
        String[] f = line.trim().split(" ");
        if (f.length == 3) {
          int ifindex = Integer.parseInt(f[0]);
          LOG.info("removing stale tc filters of a previous run from " + f[2] + " (ifindex " + ifindex + ")");
          netns.call(() -> {
            detach(ifindex, f[2], "1".equals(f[1]));
            return null;
          });
        }
      }
      Files.delete(stateFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public synchronized boolean isAttached(int ifindex) {
    return attached.containsKey(ifindex);
  }

  /** Attaches both directions to one interface; idempotent thanks to BPF_TC_F_REPLACE on our handle. */
  public synchronized void attach(int ifindex, String name, int ingressFd, int egressFd) {
    boolean created = netns.call(() -> {
      Pointer hook = hook(ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
      int rc = bpf.bpf_tc_hook_create(hook);
      if (rc < 0 && rc != -EEXIST) {
        throw BpfException.of("cannot add a clsact qdisc to " + name + " (needs CAP_NET_ADMIN)", rc);
      }
      boolean made = rc == 0;
      attached.put(ifindex, new Object[] {name, made});
      writeState();
      attachOne(ifindex, name, BPF_TC_INGRESS, ingressFd);
      attachOne(ifindex, name, BPF_TC_EGRESS, egressFd);
      return made;
    });
    LOG.info("tc capture attached to " + name + " (ifindex " + ifindex + (created ? ", clsact created" : ", clsact existed") + ")");
  }

  private void attachOne(int ifindex, String name, int point, int fd) {
    Pointer opts = opts(fd, BPF_TC_F_REPLACE);
    int rc = bpf.bpf_tc_attach(hook(ifindex, point), opts);
    if (rc < 0) {
      throw BpfException.of("cannot attach the tc capture to " + name + (point == BPF_TC_INGRESS ? " ingress" : " egress"), rc);
    }
  }

  /** The interface went away; the kernel dropped its filters with it. */
  public synchronized void forget(int ifindex) {
    if (attached.remove(ifindex) != null) {
      netns.call(() -> {
        writeState();
        return null;
      });
    }
  }

  /** Removes every filter this loader added, and the clsact qdiscs it created when nothing else uses them. */
  public synchronized void detachAll() {
    netns.call(() -> {
      for (var e : new ArrayList<>(attached.entrySet())) {
        detach(e.getKey(), (String) e.getValue()[0], (Boolean) e.getValue()[1]);
        attached.remove(e.getKey());
      }
      writeState();
      return null;
    });
  }

  private void detach(int ifindex, String name, boolean createdQdisc) {
    for (int point : new int[] {BPF_TC_INGRESS, BPF_TC_EGRESS}) {
      int rc = bpf.bpf_tc_detach(hook(ifindex, point), opts(0, 0));
      if (rc < 0 && rc != -ENOENT && rc != -ENODEV && rc != -22) {
        LOG.warning("cannot detach the tc capture from " + name + ": " + Native.strerror(rc));
      }
    }
    if (createdQdisc && onlyOurs(name)) {
      bpf.bpf_tc_hook_destroy(hook(ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS));
    }
  }

  /** True when the interface has no tc filters left (ours are gone by now), so removing clsact hurts no one. */
  private boolean onlyOurs(String name) {
    for (String dir : List.of("ingress", "egress")) {
      List<String> cmd = new ArrayList<>(List.of("tc"));
      if (netns.name() != null) {
        cmd.addAll(List.of("-netns", netns.name()));
      }
      cmd.addAll(List.of("filter", "show", "dev", name, dir));
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.isBlank()) {
          return false;
        }
      } catch (IOException e) {
        return false;  // no tc binary: leave the qdisc rather than guess
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void writeState() {
    StringBuilder sb = new StringBuilder();
    attached.forEach((i, v) -> sb.append(i).append(' ').append((Boolean) v[1] ? 1 : 0).append(' ').append(v[0]).append('\n'));
    try {
      Files.createDirectories(stateFile.getParent());
      if (attached.isEmpty()) {
        Files.deleteIfExists(stateFile);
      } else {
        Files.writeString(stateFile, sb);
      }
    } catch (IOException e) {
      LOG.warning("cannot write " + stateFile + ": " + e.getMessage() + " (a crash would leave tc filters behind)");
    }
  }

  private Pointer hook(int ifindex, int point) {
    Pointer p = Memory.allocateDirect(Native.runtime(), 24, true);
    p.putLong(0, 24);
    p.putInt(8, ifindex);
    p.putInt(12, point);
    return p;
  }

  private Pointer opts(int fd, int flags) {
    Pointer p = Memory.allocateDirect(Native.runtime(), 32, true);
    p.putLong(0, 32);
    p.putInt(8, fd);
    p.putInt(12, flags);
    p.putInt(20, HANDLE);
    p.putInt(24, PRIORITY);
    return p;
  }
}
