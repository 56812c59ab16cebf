package io.sluice.ebpf;

import io.sluice.ebpf.ffi.BpfException;
import io.sluice.ebpf.ffi.LibC;
import io.sluice.ebpf.ffi.Native;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A thread living in one network namespace: setns(2) moves only the calling thread, so every tc and interface
 * call for that namespace runs here. Name null: the loader's own namespace.
 */
public final class NetNs implements AutoCloseable {
  private final String name;
  private final ExecutorService thread;

  public NetNs(String name) {
    this.name = name;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sluice-netns-" + (name == null ? "host" : name));
      t.setDaemon(true);
      return t;
    });
    if (name != null) {
      call(() -> {
        LibC libc = Native.libc();
        String path = "/var/run/netns/" + name;
        int fd = libc.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
          throw BpfException.of("cannot open network namespace " + path + " (made by `ip netns add`)", Native.lastErrno());
        }
        int rc = libc.setns(fd, LibC.CLONE_NEWNET);
        int errno = Native.lastErrno();
        libc.close(fd);
        if (rc != 0) {
          throw BpfException.of("cannot enter network namespace " + name + " (needs CAP_SYS_ADMIN)", errno);
        }
        return null;
      });
    }
  }

  /** The namespace name, or null for the loader's own. */
  public String name() {
    return name;
  }

  public <T> T call(Callable<T> task) {
    try {
      return thread.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BpfException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new BpfException(e.getCause().toString(), e.getCause());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
