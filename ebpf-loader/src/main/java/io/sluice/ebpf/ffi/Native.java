package io.sluice.ebpf.ffi;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libbpf.so.1 and libc once; fails with what to install when libbpf is missing. */
public final class Native {
  private static LibBpf bpf;
  private static LibC libc;

  private Native() {}

  public static synchronized LibBpf bpf() {
    if (bpf == null) {
      try {
        bpf = LibraryLoader.create(LibBpf.class).failImmediately().load("bpf.so.1");
      } catch (LinkageError | RuntimeException e) {
        try {
          bpf = LibraryLoader.create(LibBpf.class).failImmediately().load("bpf");
        } catch (LinkageError | RuntimeException e2) {
          throw new BpfException("libbpf.so.1 not found or too old (need 1.1+): install it with "
              + "`apt-get install -y libbpf1` (" + e.getMessage() + ")", e);
        }
      }
    }
    return bpf;
  }

  public static synchronized LibC libc() {
    if (libc == null) {
      libc = LibraryLoader.create(LibC.class).failImmediately().load("c");
    }
    return libc;
  }

  public static Runtime runtime() {
    return Runtime.getRuntime(bpf());
  }

  /** errno saved by the last @SaveError call on this thread. */
  public static int lastErrno() {
    return Runtime.getRuntime(bpf()).getLastError();
  }

  public static String strerror(int errno) {
    int e = Math.abs(errno);
    String name = switch (e) {
      case 1 -> "EPERM (operation not permitted: missing capability, or the kernel is locked down)";
      case 2 -> "ENOENT (no such file or object)";
      case 7 -> "E2BIG (argument list too long)";
      case 13 -> "EACCES (permission denied: the verifier rejected the program)";
      case 16 -> "EBUSY (busy)";
      case 17 -> "EEXIST (already exists)";
      case 19 -> "ENODEV (no such device)";
      case 22 -> "EINVAL (invalid argument)";
      case 95 -> "EOPNOTSUPP (not supported by this kernel)";
      case 524 -> "ENOTSUPP (not supported by this kernel)";
      default -> "errno " + e;
    };
    return name;
  }
}
