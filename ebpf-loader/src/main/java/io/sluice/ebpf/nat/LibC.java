package io.sluice.ebpf.nat;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/** The few libc calls Java lacks: entering a network namespace, listing interfaces, raw descriptors. */
public interface LibC {
  int O_RDONLY = 0;
  int O_DIRECTORY = 0200000;
  int O_CLOEXEC = 02000000;
  int CLONE_NEWNET = 0x40000000;

  @SaveError int open(String path, int flags);
  int close(int fd);
  @SaveError int setns(int fd, int nstype);
  /** Returns struct if_nameindex[] ending with {0, NULL}. */
  Pointer if_nameindex();
  void if_freenameindex(Pointer p);
}
