package io.sluice.ebpf;

import io.sluice.ingest.PacketBatches;
import java.util.Arrays;

/**
 * Gathers encoded {@code CapturedPacket}s per Kafka partition into the bytes of a {@code CapturedPacketBatch}
 * (field 1, length-delimited, once per packet, in the order added), so one Kafka record carries what one drain of
 * the ring buffer found for a partition. One thread only.
 *
 * <p>With {@code reuse}, the arrays handed to the sink are the batcher's own, rewritten once the sink returns: a full
 * batch goes in its partition's buffer, a drain's last one (from {@link #MIN_POOLED} bytes) is copied into an array
 * of the next multiple of {@link #SIZE_STEP}, and both are filled to their length with the batch's padding field. A
 * fresh array per batch was a write to cold memory for every byte captured (BENCHMARKS.md, "eBPF loader"). Smaller
 * batches, as a quiet node sends, get an exact array and no padding. Only for a sink done with the array when it
 * returns, as {@code KafkaProducer.send} is: it copies the value into its own batch first.
 */
final class PacketBatcher {
  /** A batch is handed on before it would grow past this ({@link PacketBatches#MAX_BYTES}). */
  static final int MAX_BYTES = PacketBatches.MAX_BYTES;
  /** Reused arrays come in multiples of this; what pads a drain's last batch to one is under it. */
  static final int SIZE_STEP = 4096;
  /** A drain's last batch below this gets an exact array: padding would be a large share of it. */
  static final int MIN_POOLED = 16 * 1024;

  interface Sink {
    void batch(int partition, byte[] value, int packets);
  }

  private final Sink sink;
  private final boolean reuse;
  private final byte[][] buffers;
  private final int[] lengths;
  private final int[] counts;
  /** With reuse: the arrays for the drain's last batches, by length / SIZE_STEP - 1. */
  private final byte[][] sized = new byte[MAX_BYTES / SIZE_STEP][];

  PacketBatcher(int partitions, Sink sink, boolean reuse) {
    this.sink = sink;
    this.reuse = reuse;
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
    int need = 1 + 5 + length; // room for the tag, the largest varint and the packet
    if (PacketBatches.sendBefore(lengths[partition], counts[partition], length)) {
      flush(partition, true);
    }
    byte[] b = buffers[partition];
    if (b == null || lengths[partition] + need > b.length) {
      int size = reuse ? Math.max(MAX_BYTES, need) : Math.max(lengths[partition] + need, Math.min(MAX_BYTES, 2 * (b == null ? 4096 : b.length)));
      b = buffers[partition] = Arrays.copyOf(b == null ? new byte[0] : b, size);
    }
    int p = lengths[partition];
    b[p++] = (byte) PacketBatches.PACKETS_TAG;
    p = PacketEncoder.varint(b, p, length);
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
        flush(p, false);
      }
    }
  }

  private void flush(int partition, boolean full) {
    byte[] b = buffers[partition];
    int length = lengths[partition];
    byte[] value;
    if (!reuse) {
      value = Arrays.copyOf(b, length);
    } else if (full && b.length == MAX_BYTES && pad(b, length, b.length)) {
      value = b;
    } else {
      value = sizedFor(length);
      if (value != null) {
        System.arraycopy(b, 0, value, 0, length);
      } else {
        value = Arrays.copyOf(b, length);
      }
    }
    int n = counts[partition];
    lengths[partition] = 0;
    counts[partition] = 0;
    sink.batch(partition, value, n);
  }

  /** A reused array of a multiple of SIZE_STEP that length bytes and a padding field fill exactly, or null. */
  private byte[] sizedFor(int length) {
    if (length < MIN_POOLED) {
      return null;
    }
    for (int size = (length + SIZE_STEP - 1) / SIZE_STEP * SIZE_STEP; size <= MAX_BYTES; size += SIZE_STEP) {
      int i = size / SIZE_STEP - 1;
      if (sized[i] == null) {
        sized[i] = new byte[size];
      }
      if (pad(sized[i], length, size)) {
        return sized[i];
      }
    }
    return null;
  }

  /**
   * Fills b from length to end with CapturedPacketBatch's padding field (2, bytes, zeros), which readers skip;
   * false when no field is exactly that long (1 byte, or 130: a length of 128 needs a 2-byte varint).
   */
  static boolean pad(byte[] b, int length, int end) {
    int room = end - length;
    if (room == 0) {
      return true;
    }
    for (int lenBytes = 1; lenBytes <= 3; lenBytes++) {
      int n = room - 1 - lenBytes;
      if (n >= 0 && PacketEncoder.varintSize(n) == lenBytes) {
        b[length] = (byte) PacketBatches.PADDING_TAG;
        int p = PacketEncoder.varint(b, length + 1, n);
        Arrays.fill(b, p, end, (byte) 0);
        return true;
      }
    }
    return false;
  }
}
