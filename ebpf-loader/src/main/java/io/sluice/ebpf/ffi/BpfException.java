package io.sluice.ebpf.ffi;

/** A BPF or libbpf call failed; the message says which, why, and what to do when that is known. */
public class BpfException extends RuntimeException {
  public BpfException(String message) {
    super(message);
  }

  public BpfException(String message, Throwable cause) {
    super(message, cause);
  }

  public static BpfException of(String what, int errno) {
    return new BpfException(what + ": " + Native.strerror(errno));
  }
}
