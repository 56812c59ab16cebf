package io.sluice.ebpf;

import io.sluice.ebpf.ffi.BpfException;
import io.sluice.ebpf.ffi.LibBpf;
import io.sluice.ebpf.ffi.Native;
import io.sluice.net.IpAddresses;
import io.sluice.net.Prefix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The filter maps user space sets without recompiling (ports as a 65536-bit set, CIDRs, snap length) and the
 * per-CPU counters.
 */
public final class BpfMaps {
  static final int CFG_ALL_PORTS = 1;
  static final int CFG_CIDRS = 2;
  static final int CFG_SKIP_PURE_ACKS = 4;
  static final int CFG_H2_FRAMES = 8;
  static final int CFG_TLS_HANDSHAKES = 16;
  /**
   * Set (to anything) to capture HTTP/2 connections by the snap alone, as before the frame-aware walk: for the tests
   * that show what the walk is for, and the benchmark's comparison. Read at each loader start.
   */
  public static final String NO_H2_FRAMES_PROPERTY = "sluice.ebpf.noH2Frames";
  /**
   * Set (to anything) to capture TLS handshakes by the snap alone, as before their first bytes were kept whole (tls.h):
   * for the test that shows what that is for, and the benchmark's comparison. Read at each loader start.
   */
  public static final String NO_TLS_HANDSHAKES_PROPERTY = "sluice.ebpf.noTlsHandshakes";
  /** Counter slots, as enum counter in events.h. */
  public static final String[] COUNTERS = {"seen", "captured", "ringbuf_full", "socket_events", "socket_ringbuf_full",
      "pure_acks_skipped", "h2_segments_walked", "h2_walks_lost", "tls_client_hellos", "tls_segments_kept",
      "h2_walks_lost_gap", "h2_walks_lost_steps", "h2_walks_lost_read", "h2_segments_held", "h2_held_expired"};

  private final LibBpf bpf = Native.bpf();
  private final int settings;
  private final int ports;
  private final int cidrs4;
  private final int cidrs6;
  private final int counters;
  private final int events;
  private final int cpus;

  BpfMaps(BpfObject obj) {
    settings = obj.mapFd("settings");
    ports = obj.mapFd("ports");
    cidrs4 = obj.mapFd("cidrs4");
    cidrs6 = obj.mapFd("cidrs6");
    counters = obj.mapFd("counters");
    events = obj.mapFd("events");
    cpus = bpf.libbpf_num_possible_cpus();
  }

  int eventsFd() {
    return events;
  }

  void configure(LoaderConfig c) {
    if (c.snapLen() < 0 || c.snapLen() > LoaderConfig.MAX_SNAP) {
      throw new IllegalArgumentException("snap length must be 0.." + LoaderConfig.MAX_SNAP + ", got " + c.snapLen());
    }
    long[] bits = new long[65536 / 64];  // struct port_set
    for (int p : c.ports()) {
      if (p < 0 || p > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + p);
      }
      bits[p >>> 6] |= 1L << (p & 63);
    }
    ByteBuffer set = ByteBuffer.allocate(bits.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    set.asLongBuffer().put(bits);
    update(ports, new byte[4], set.array(), "ports");
    for (String cidr : c.cidrs()) {
      Prefix prefix = Prefix.parse(cidr);
      byte[] addr16 = prefix.address();
      boolean v4 = IpAddresses.isV4Mapped(addr16);
      ByteBuffer key = ByteBuffer.allocate(v4 ? 8 : 20).order(ByteOrder.LITTLE_ENDIAN);
      key.putInt(v4 ? prefix.length() - 96 : prefix.length());
      key.put(addr16, v4 ? 12 : 0, v4 ? 4 : 16);
      update(v4 ? cidrs4 : cidrs6, key.array(), new byte[] {1}, "cidrs");
    }
    int flags = (c.ports().isEmpty() ? CFG_ALL_PORTS : 0) | (c.cidrs().isEmpty() ? 0 : CFG_CIDRS)
        | (c.skipPureAcks() ? CFG_SKIP_PURE_ACKS : 0) | (System.getProperty(NO_H2_FRAMES_PROPERTY) == null ? CFG_H2_FRAMES : 0)
        | (System.getProperty(NO_TLS_HANDSHAKES_PROPERTY) == null ? CFG_TLS_HANDSHAKES : 0);
    // struct sluice_config: snap_len, flags, wake_bytes (RingPoller drains on its own clock below it), pad, id_salt
    ByteBuffer cfg = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(c.snapLen()).putInt(flags)
        .putInt((int) RingPoller.wakeBytes(c.ringBytes())).putInt(0).putLong(new java.security.SecureRandom().nextLong());
    update(settings, new byte[4], cfg.array(), "settings");
  }

  private void update(int fd, byte[] key, byte[] value, String map) {
    int rc = bpf.bpf_map_update_elem(fd, key, value, 0);
    if (rc < 0) {
      throw BpfException.of("cannot update map " + map, rc);
    }
  }

  /** The per-CPU counters summed over CPUs, in COUNTERS order. */
  public long[] counters() {
    long[] out = new long[COUNTERS.length];
    byte[] value = new byte[8 * cpus];
    for (int i = 0; i < out.length; i++) {
      byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array();
      if (bpf.bpf_map_lookup_elem(counters, key, value) == 0) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < cpus; c++) {
          out[i] += b.getLong(c * 8);
        }
      }
    }
    return out;
  }
}
