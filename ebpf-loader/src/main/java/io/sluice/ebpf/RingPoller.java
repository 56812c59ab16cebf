package io.sluice.ebpf;

import io.sluice.ebpf.nat.BpfException;
import io.sluice.ebpf.nat.LibBpf;
import io.sluice.ebpf.nat.Native;
import jnr.ffi.Pointer;

/** libbpf's ring_buffer__poll with a jnr-ffi callback that copies each record into one reused array. */
public final class RingPoller implements AutoCloseable {
  /** Gets each record; the array is reused after the call returns. */
  public interface Sink {
    void record(byte[] data, int size);
  }

  private final LibBpf bpf = Native.bpf();
  private final Pointer rb;
  // Held in a field: jnr-ffi frees the native trampoline when the callback object is collected.
  private final LibBpf.SampleCallback callback;
  private final byte[] buffer = new byte[8192];

  public RingPoller(int mapFd, Sink sink) {
    this.callback = (ctx, data, size) -> {
      int n = (int) Math.min(size, buffer.length);
      data.get(0, buffer, 0, n);
      sink.record(buffer, n);
      return 0;
    };
    this.rb = bpf.ring_buffer__new(mapFd, callback, null, null);
    if (rb == null) {
      throw BpfException.of("cannot open the ring buffer", Native.lastErrno());
    }
  }

  /** Waits up to timeoutMs for records and hands each to the sink; returns how many. */
  public int poll(int timeoutMs) {
    int n = bpf.ring_buffer__poll(rb, timeoutMs);
    if (n < 0 && n != -4) {  // -EINTR: a signal, not an error
      throw BpfException.of("ring_buffer__poll failed", n);
    }
    return Math.max(n, 0);
  }

  @Override
  public void close() {
    bpf.ring_buffer__free(rb);
  }
}
