package io.sluice.ebpf;

import com.kenai.jffi.MemoryIO;
import io.sluice.ebpf.ffi.BpfException;
import io.sluice.ebpf.ffi.LibC;
import io.sluice.ebpf.ffi.Native;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Pointer;

/**
 * Reads the BPF ring buffer straight from its memory: no call into native code per record. The kernel's layout
 * (kernel/bpf/ringbuf.c): at offset 0 one page holding consumer_pos, which user space writes; from offset one page
 * the producer_pos page and then the data area mapped twice in a row, read-only, so a record that wraps around
 * the end reads as one piece. Each record: an 8-byte header (length, with BUSY bit 31 while the producer writes it
 * and DISCARD bit 30, then a page offset the kernel uses), the data, padding to 8 bytes. The producer publishes
 * with release stores, so producer_pos and each header are read with acquire loads, and consumer_pos is advanced
 * with a release store once the records before it have been copied out.
 *
 * <p>Waiting: epoll on the map's descriptor, edge-triggered, so it returns only when the kernel wakes the ring's
 * waiters, not whenever a record is there. The BPF programs ask for no wakeup until an eighth of the ring holds
 * records (src/main/c/maps.h, ring_wakeup), so below that the poller drains on its own clock, every gatherMs
 * ({@link #GATHER_MS} by default): a steady stream is drained in batches with one wakeup per batch instead of one per
 * record (each wakeup of the drain thread finds its caches cold, which costs more than the records), and each drain
 * becomes a few large Kafka records and one produce request. A burst that fills an eighth of the ring wakes it at
 * once, and a drain that freed an eighth or more is followed by the next without waiting.
 */
public final class RingPoller implements AutoCloseable {
  /** Gets each record; the array is reused after the call returns. */
  public interface Sink {
    void record(byte[] data, int size);

    /** After a drain that handed on records: the end of a batch. */
    default void drained() {}
  }

  /**
   * How long records may gather between drains: latency traded for fewer wakeups and fewer, larger Kafka records and
   * requests (the producer's linger then joins two drains per request). 100 ms: a tenth of the L7 job's
   * out-of-orderness bound. The value is {@link io.sluice.ingest.PacketBatches#GATHER_MS}, which replay copies.
   */
  static final int GATHER_MS = io.sluice.ingest.PacketBatches.GATHER_MS;

  /**
   * How full the ring is (bytes) when the BPF programs start waking the poller (written into the settings map), and
   * what a drain must free for the next to follow without waiting: an eighth of it.
   */
  static long wakeBytes(long ringBytes) {
    return ringBytes / 8;
  }

  private final int gatherMs;
  private static final int BUSY = 1 << 31;
  private static final int DISCARD = 1 << 30;
  private static final int HEADER = 8;
  /** consumer_pos is published at least this often while draining, so the producer regains space early. */
  private static final int RELEASE_EVERY = 256;
  private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

  private final LibC libc = Native.libc();
  private final Sink sink;
  private final long pageSize;
  private final long size;
  private final long mask;
  private final Pointer consumerMap;
  private final Pointer producerMap;
  private final long producerLen;
  /** The consumer_pos page (read-write). */
  private final ByteBuffer consumer;
  /** producer_pos at 0, the data area (twice) from pageSize on. */
  private final ByteBuffer ring;
  private final int epoll;
  private final byte[] events = new byte[16];
  private final byte[] buffer = new byte[LoaderConfig.MAX_SNAP + 256];
  /** Bytes the last drain freed. */
  private long drained;

  /** gatherMs: the longest wait between drains below an eighth of the ring (see above; {@link #GATHER_MS} by default). */
  public RingPoller(int mapFd, Sink sink, int gatherMs) {
    if (gatherMs < 1) {
      throw new IllegalArgumentException("gather time " + gatherMs + " ms: the ring is drained every gather time, so it must be 1 ms or more");
    }
    this.sink = sink;
    this.gatherMs = gatherMs;
    this.pageSize = libc.sysconf(LibC.SC_PAGESIZE);
    this.size = maxEntries(mapFd);
    if (Long.bitCount(size) != 1 || size < pageSize || pageSize + 2 * size > Integer.MAX_VALUE) {
      throw new BpfException("ring buffer of " + size + " bytes: need a power of two from one page to 512 MiB");
    }
    this.mask = size - 1;
    this.producerLen = pageSize + 2 * size;
    Pointer c = libc.mmap(null, pageSize, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, mapFd, 0);
    if (c == null || c.address() == -1) {
      throw BpfException.of("cannot map the ring buffer's consumer page", Native.lastErrno());
    }
    Pointer p = libc.mmap(null, producerLen, LibC.PROT_READ, LibC.MAP_SHARED, mapFd, pageSize);
    if (p == null || p.address() == -1) {
      int errno = Native.lastErrno();
      libc.munmap(c, pageSize);
      throw BpfException.of("cannot map the ring buffer's data", errno);
    }
    consumerMap = c;
    producerMap = p;
    MemoryIO io = MemoryIO.getInstance();
    consumer = io.newDirectByteBuffer(c.address(), (int) pageSize).order(ByteOrder.nativeOrder());
    ring = io.newDirectByteBuffer(p.address(), (int) producerLen).order(ByteOrder.nativeOrder());
    epoll = libc.epoll_create1(LibC.EPOLL_CLOEXEC);
    if (epoll < 0) {
      int errno = Native.lastErrno();
      unmap();
      throw BpfException.of("epoll_create1", errno);
    }
    byte[] ev = new byte[16];
    ev[0] = LibC.EPOLLIN;
    ev[3] = (byte) (LibC.EPOLLET >>> 24);
    if (libc.epoll_ctl(epoll, LibC.EPOLL_CTL_ADD, mapFd, ev) < 0) {
      int errno = Native.lastErrno();
      close();
      throw BpfException.of("cannot wait on the ring buffer (epoll_ctl)", errno);
    }
  }

  private static long maxEntries(int mapFd) {
    byte[] info = new byte[88];  // struct bpf_map_info up to and including max_entries is 20 bytes; the kernel takes less
    int[] len = {info.length};
    int rc = Native.bpf().bpf_obj_get_info_by_fd(mapFd, info, len);
    if (rc < 0) {
      throw BpfException.of("cannot read the ring buffer's size", rc);
    }
    return ByteBuffer.wrap(info).order(ByteOrder.nativeOrder()).getInt(16) & 0xffffffffL;
  }

  /**
   * Waits up to the gather time (at most timeoutMs; a negative timeout is the gather time, since below an eighth of
   * the ring no wakeup comes) for the kernel's wakeup, unless the last drain freed an eighth of the ring or more, then
   * drains what is there and hands each record to the sink. Returns the records drained.
   */
  public int poll(int timeoutMs) {
    if (timeoutMs != 0 && drained < wakeBytes(size)) {
      int rc = libc.epoll_wait(epoll, events, 1, timeoutMs < 0 ? gatherMs : Math.min(gatherMs, timeoutMs));
      if (rc < 0 && Native.lastErrno() != 4) {  // EINTR: a signal, not an error
        throw BpfException.of("epoll_wait on the ring buffer", Native.lastErrno());
      }
    }
    return drain();
  }

  /** Hands every committed record to the sink, in order, and frees their space; stops at one still being written. */
  int drain() {
    long cons = (long) LONG.getAcquire(consumer, 0);
    long start = cons;
    int n = 0;
    int unreleased = 0;
    long prod = (long) LONG.getAcquire(ring, 0);
    while (cons < prod) {
      int at = (int) (pageSize + (cons & mask));
      int header = (int) INT.getAcquire(ring, at);
      if ((header & BUSY) != 0) {
        break;
      }
      int len = header & ~(BUSY | DISCARD);
      if ((header & DISCARD) == 0) {
        int copy = Math.min(len, buffer.length);
        ring.get(at + HEADER, buffer, 0, copy);
        sink.record(buffer, copy);
        n++;
      }
      cons += (len + HEADER + 7) & ~7L;
      if (++unreleased == RELEASE_EVERY) {
        LONG.setRelease(consumer, 0, cons);
        unreleased = 0;
      }
      if (cons == prod) {
        prod = (long) LONG.getAcquire(ring, 0);
      }
    }
    LONG.setRelease(consumer, 0, cons);
    drained = cons - start;
    if (n > 0) {
      sink.drained();
    }
    return n;
  }

  private void unmap() {
    libc.munmap(consumerMap, pageSize);
    libc.munmap(producerMap, producerLen);
  }

  /** Unmaps the ring; no drain may run during or after this. */
  @Override
  public void close() {
    if (epoll >= 0) {
      libc.close(epoll);
    }
    unmap();
  }
}
