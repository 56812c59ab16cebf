package io.sluice.ebpf;

import io.sluice.ingest.PacketBatches;
import java.util.Arrays;

/**
 * Gathers encoded {@code CapturedPacket}s per Kafka partition into the bytes of a {@code CapturedPacketBatch}
 * (field 1, length-delimited, once per packet, in the order added), so one Kafka record carries what one drain of
 * the ring buffer found for a partition. One thread only.
 */
final class PacketBatcher {
  /** A batch is handed on before it would grow past this (a record stays far below Kafka's 1 MiB limit). */
  static final int MAX_BYTES = 64 * 1024;

  interface Sink {
    void batch(int partition, byte[] value, int packets);
  }

  private final Sink sink;
  private final byte[][] buffers;
  private final int[] lengths;
  private final int[] counts;

  PacketBatcher(int partitions, Sink sink) {
    this.sink = sink;
    this.buffers = new byte[partitions][];
    this.lengths = new int[partitions];
    this.counts = new int[partitions];
  }

  int partitions() {
    return buffers.length;
  }

  /** A packet encoded straight into a batch's buffer. */
  interface Encoded {
    /** Writes the packet's bytes at p (the length given with it) and returns the end. */
    int writeTo(byte[] out, int p);
  }

  void add(int partition, byte[] packet) {
    add(partition, packet.length, (out, p) -> {
      System.arraycopy(packet, 0, out, p, packet.length);
      return p + packet.length;
    });
  }

  /** Appends a packet of length bytes that packet writes, with no copy of its own. */
  void add(int partition, int length, Encoded packet) {
    int need = 1 + 5 + length;
    if (counts[partition] > 0 && lengths[partition] + need > MAX_BYTES) {
      flush(partition);
    }
    byte[] b = buffers[partition];
    if (b == null || lengths[partition] + need > b.length) {
      b = buffers[partition] = Arrays.copyOf(b == null ? new byte[0] : b, Math.max(lengths[partition] + need, Math.min(MAX_BYTES, 2 * (b == null ? 4096 : b.length))));
    }
    int p = lengths[partition];
    b[p++] = (byte) PacketBatches.PACKETS_TAG;
    for (int v = length; ; v >>>= 7) {
      if ((v & ~0x7f) == 0) {
        b[p++] = (byte) v;
        break;
      }
      b[p++] = (byte) ((v & 0x7f) | 0x80);
    }
    int end = packet.writeTo(b, p);
    if (end != p + length) {
      throw new IllegalStateException("a packet said " + length + " bytes and wrote " + (end - p));
    }
    lengths[partition] = end;
    counts[partition]++;
  }

  /** Hands on every partition's batch, lowest partition first. */
  void flush() {
    for (int p = 0; p < buffers.length; p++) {
      if (counts[p] > 0) {
        flush(p);
      }
    }
  }

  private void flush(int partition) {
    byte[] value = Arrays.copyOf(buffers[partition], lengths[partition]);
    int n = counts[partition];
    lengths[partition] = 0;
    counts[partition] = 0;
    sink.batch(partition, value, n);
  }
}
