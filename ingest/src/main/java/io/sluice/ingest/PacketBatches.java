package io.sluice.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Utils;

/**
 * How several {@code CapturedPacket}s travel in one record of sluice.packets.raw: a {@code CapturedPacketBatch},
 * marked by a header (a record without it is one {@code CapturedPacket}), sent to the partition Kafka's default
 * partitioner gives its packets' keys, so a conversation's packets and socket events still share one partition.
 */
public final class PacketBatches {
  /** The record header naming the message a record holds; absent: {@code CapturedPacket}. */
  public static final String MESSAGE_HEADER = "sluice.message";
  public static final String BATCH = "CapturedPacketBatch";
  public static final byte[] BATCH_BYTES = BATCH.getBytes(StandardCharsets.UTF_8);
  /** Field 1 of CapturedPacketBatch (repeated CapturedPacket), length-delimited. */
  public static final int PACKETS_TAG = 1 << 3 | 2;
  /** Field 2 of CapturedPacketBatch (padding), length-delimited. */
  public static final int PADDING_TAG = 2 << 3 | 2;

  /**
   * The eBPF loader's batch rule, which {@code sluice replay} copies by default: a batch is sent before it would grow
   * past MAX_BYTES (a record stays far below Kafka's 1 MiB limit), and every partition's batch at each drain of the
   * ring buffer, at most GATHER_MS apart (100 ms: a tenth of the L7 job's out-of-orderness bound). No packet count.
   */
  public static final int MAX_BYTES = 64 * 1024;
  /** See {@link #MAX_BYTES}. */
  public static final int GATHER_MS = 100;

  private PacketBatches() {}

  /**
   * Whether a batch of {@code batchBytes} bytes holding {@code packets} packets is sent before a packet of
   * {@code length} bytes joins it: the loader's rule, which {@code sluice replay} follows. The packet's field takes its
   * tag, its length as a varint (counted here at its largest, 5 bytes) and the packet; a batch's first packet always
   * joins it, however large.
   */
  public static boolean sendBefore(int batchBytes, int packets, int length) {
    return packets > 0 && batchBytes + 1 + 5 + length > MAX_BYTES;
  }

  /** The bytes a packet of {@code length} bytes adds to a batch: its field's tag, its length as a varint, the packet. */
  public static int entryBytes(int length) {
    int varint = 1;
    for (int v = length; (v & ~0x7F) != 0; v >>>= 7) {
      varint++;
    }
    return 1 + varint + length;
  }

  /** The partition Kafka's default partitioner gives a record with this key (murmur2, as the producer does). */
  public static int partition(byte[] key, int partitions) {
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  /** Whether the record's headers mark it as a {@code CapturedPacketBatch}. */
  public static boolean isBatch(Headers headers) {
    Header h = headers == null ? null : headers.lastHeader(MESSAGE_HEADER);
    return h != null && java.util.Arrays.equals(h.value(), BATCH_BYTES);
  }
}
