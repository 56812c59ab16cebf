package io.sluice.ebpf.ffi;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc calls Java lacks: entering a network namespace, listing interfaces, raw descriptors, mapping the
 * BPF ring buffer and waiting on it.
 */
public interface LibC {
  int O_RDONLY = 0;
  int O_CLOEXEC = 02000000;
  int CLONE_NEWNET = 0x40000000;
  int PROT_READ = 1;
  int PROT_WRITE = 2;
  int MAP_SHARED = 1;
  int EPOLL_CLOEXEC = 02000000;
  int EPOLL_CTL_ADD = 1;
  int EPOLLIN = 1;
  int EPOLLET = 1 << 31;
  int SC_PAGESIZE = 30;

  @SaveError int open(String path, int flags);
  int close(int fd);
  @SaveError int setns(int fd, int nstype);
  /** Returns struct if_nameindex[] ending with {0, NULL}. */
  Pointer if_nameindex();
  void if_freenameindex(Pointer p);

  /** Returns the mapping, or address -1 (MAP_FAILED). A Pointer, not a long: jnr-ffi passes a long addr wrongly. */
  @SaveError Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);
  int munmap(Pointer addr, long length);
  long sysconf(int name);
  @SaveError int epoll_create1(int flags);
  /** event: struct epoll_event (events, then 8 bytes of data; packed to 12 bytes on x86-64, 16 elsewhere). */
  @SaveError int epoll_ctl(int epfd, int op, int fd, @In byte[] event);
  @SaveError int epoll_wait(int epfd, @Out byte[] events, int maxEvents, int timeoutMs);
}
