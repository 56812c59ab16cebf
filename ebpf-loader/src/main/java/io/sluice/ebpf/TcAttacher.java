package io.sluice.ebpf;

import io.sluice.ebpf.ffi.BpfException;
import io.sluice.ebpf.ffi.LibBpf;
import io.sluice.ebpf.ffi.Native;
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
 * Attaches the capture programs to interfaces, ingress and egress. Where the kernel has them (Linux 6.6 and later),
 * as tcx links: the kernel runs the programs straight from the device's hook (no qdisc, no classifier in between),
 * and a link lives only as long as this process holds its descriptor, so a crashed loader leaves nothing behind.
 * Elsewhere as tc filters on a clsact qdisc, with this loader's own handle and priority, so its filters can be found
 * again: which interfaces it touched, and whether it created their clsact qdisc, is written to a state file, so a
 * restart after a crash removes what the crashed run left behind (also what a run of an older version left).
 */
public final class TcAttacher {
  /** How the programs hang on an interface. */
  public enum Mode { TCX, CLSACT }

  private static final Logger LOG = Logger.getLogger(TcAttacher.class.getName());
  public static final int HANDLE = 0x51CE;
  public static final int PRIORITY = 0xC51C;
  private static final int BPF_TC_INGRESS = 1;
  private static final int BPF_TC_EGRESS = 2;
  private static final int BPF_TC_F_REPLACE = 1;
  private static final int ENOENT = 2;
  private static final int ENODEV = 19;
  private static final int EEXIST = 17;
  private static final int EINVAL = 22;
  private static final int EOPNOTSUPP = 95;
  private static final int BPF_TCX_INGRESS = 46;
  private static final int BPF_TCX_EGRESS = 47;
  private static final int BPF_F_BEFORE = 1 << 3;

  private final LibBpf bpf = Native.bpf();
  private final NetNs netns;
  private final Path stateFile;
  /** Null until the first attach finds out whether the kernel has tcx links. */
  private Mode mode;
  /** What is attached where: a clsact filter pair (and whether we made the qdisc) or a tcx link pair. */
  private record Attachment(String name, boolean createdQdisc, int ingressLink, int egressLink) {
    boolean tcx() {
      return ingressLink >= 0;
    }
  }

  private final Map<Integer, Attachment> attached = new LinkedHashMap<>();

  /** mode: null to use tcx links where the kernel has them, else clsact filters; or one of them, forced. */
  public TcAttacher(NetNs netns, Path stateDir, Mode mode) {
    this.netns = netns;
    this.stateFile = stateDir.resolve((netns.name() == null ? "host" : "netns-" + netns.name()) + ".tc");
    this.mode = mode;
  }

  /** TCX or CLSACT once an interface was attached; null before. */
  public synchronized Mode mode() {
    return mode;
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

  /** Attaches both directions to one interface (clsact: idempotent thanks to BPF_TC_F_REPLACE on our handle). */
  public synchronized void attach(int ifindex, String name, int ingressFd, int egressFd) {
    if (attached.containsKey(ifindex)) {
      return;
    }
    if (mode != Mode.CLSACT && netns.call(() -> attachTcx(ifindex, name, ingressFd, egressFd))) {
      LOG.info("capture attached to " + name + " (ifindex " + ifindex + ", tcx links)");
      return;
    }
    boolean created = netns.call(() -> {
      Pointer hook = hook(ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
      int rc = bpf.bpf_tc_hook_create(hook);
      if (rc < 0 && rc != -EEXIST) {
        throw BpfException.of("cannot add a clsact qdisc to " + name + " (needs CAP_NET_ADMIN)", rc);
      }
      boolean made = rc == 0;
      attached.put(ifindex, new Attachment(name, made, -1, -1));
      writeState();
      attachOne(ifindex, name, BPF_TC_INGRESS, ingressFd);
      attachOne(ifindex, name, BPF_TC_EGRESS, egressFd);
      return made;
    });
    LOG.info("tc capture attached to " + name + " (ifindex " + ifindex + (created ? ", clsact created" : ", clsact existed") + ")");
  }

  /** True when attached as tcx links; false when this kernel has none (the mode becomes CLSACT). */
  private boolean attachTcx(int ifindex, String name, int ingressFd, int egressFd) {
    int in = bpf.bpf_link_create(ingressFd, ifindex, BPF_TCX_INGRESS, first());
    if (in < 0) {
      if (mode == null && (in == -EINVAL || in == -EOPNOTSUPP)) {  // a kernel before 6.6 knows no such attach type
        mode = Mode.CLSACT;
        LOG.info("no tcx links on this kernel (" + Native.strerror(in) + "): the capture uses tc filters on clsact qdiscs");
        return false;
      }
      throw BpfException.of("cannot attach the capture to " + name + " ingress as a tcx link (needs CAP_NET_ADMIN and CAP_BPF,"
          + " and Linux 6.6 or later: --tc-attach clsact uses tc filters instead)", in);
    }
    int out = bpf.bpf_link_create(egressFd, ifindex, BPF_TCX_EGRESS, first());
    if (out < 0) {
      Native.libc().close(in);
      throw BpfException.of("cannot attach the capture to " + name + " egress as a tcx link", out);
    }
    mode = Mode.TCX;
    attached.put(ifindex, new Attachment(name, false, in, out));
    return true;
  }

  private void attachOne(int ifindex, String name, int point, int fd) {
    Pointer opts = opts(fd, BPF_TC_F_REPLACE);
    int rc = bpf.bpf_tc_attach(hook(ifindex, point), opts);
    if (rc < 0) {
      throw BpfException.of("cannot attach the tc capture to " + name + (point == BPF_TC_INGRESS ? " ingress" : " egress"), rc);
    }
  }

  /** The interface went away; the kernel dropped its filters with it (and left our links defunct: they are closed). */
  public synchronized void forget(int ifindex) {
    Attachment a = attached.remove(ifindex);
    if (a == null) {
      return;
    }
    if (a.tcx()) {
      closeLinks(a);
    } else {
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
        Attachment a = e.getValue();
        if (a.tcx()) {
          closeLinks(a);
        } else {
          detach(e.getKey(), a.name(), a.createdQdisc());
        }
        attached.remove(e.getKey());
      }
      writeState();
      return null;
    });
  }

  /**
   * struct bpf_link_create_opts asking for the front of the interface's tcx programs (BPF_F_BEFORE, no relative):
   * the capture sees each packet before other tools' programs redirect, drop or rewrite it, and its "no verdict"
   * lets them all run after it.
   */
  private static Pointer first() {
    Pointer p = Memory.allocateDirect(Native.runtime(), 16, true);
    p.putLong(0, 16);
    p.putInt(8, BPF_F_BEFORE);
    return p;
  }

  /** A tcx link goes when its last descriptor is closed (this process holds the only one). */
  private static void closeLinks(Attachment a) {
    Native.libc().close(a.ingressLink());
    Native.libc().close(a.egressLink());
  }

  /**
   * The ids of the programs attached to an interface of this namespace as tcx links, ingress or egress: none where
   * the kernel has no tcx. For tests and diagnostics (bpftool before 7.3 does not show tcx).
   */
  public static int[] tcxProgramIds(NetNs netns, int ifindex, boolean ingress) {
    return netns.call(() -> {
      int[] ids = new int[64];
      int[] count = {ids.length};
      int rc = Native.bpf().bpf_prog_query(ifindex, ingress ? BPF_TCX_INGRESS : BPF_TCX_EGRESS, 0, new int[1], ids, count);
      if (rc == -EINVAL || rc == -EOPNOTSUPP) {
        return new int[0];
      }
      if (rc < 0) {
        throw BpfException.of("cannot query the tcx programs of ifindex " + ifindex, rc);
      }
      return java.util.Arrays.copyOf(ids, count[0]);
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
    attached.forEach((i, a) -> {
      if (!a.tcx()) {  // tcx links need no cleanup: they go with this process
        sb.append(i).append(' ').append(a.createdQdisc() ? 1 : 0).append(' ').append(a.name()).append('\n');
      }
    });
    try {
      Files.createDirectories(stateFile.getParent());
      if (sb.isEmpty()) {
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
