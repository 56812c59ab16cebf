package io.sluice.jobs.l7;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A frame with the key it is processed under: the node and the unordered address/port pair (a conversation), or,
 * for an IP fragment, the node and the datagram it belongs to ({@link PacketKeys}; the node is the key's first part).
 * Frames of one node never share state with another node's, even when both saw the same conversation. Serialised by
 * {@link KeyedPacketSerializer} on the shuffle to the join and in its queue.
 */
@TypeInfo(KeyedPacketTypeInfo.Factory.class)
public final class KeyedPacket {
  public String key;
  public long capturedNs;
  public int linkType;
  /**
   * The frame: all of it, but in triage's output, where the frame is {@code data[offset, offset + length)} of the
   * Kafka record it came in ({@link CapturedFrame}) until the shuffle's serializer writes it; what the serializer
   * reads back (the join's and the reassembly's input) is the whole array.
   */
  public byte[] data;
  int offset;
  int length;

  public KeyedPacket() {}

  KeyedPacket(String key, long capturedNs, int linkType, byte[] data) {
    this(key, capturedNs, linkType, data, 0, data == null ? 0 : data.length);
  }

  KeyedPacket(String key, long capturedNs, int linkType, byte[] data, int offset, int length) {
    this.key = key;
    this.capturedNs = capturedNs;
    this.linkType = linkType;
    this.data = data;
    this.offset = offset;
    this.length = length;
  }

  /** The frame's length: the array's, or {@link #length} for a frame within an array (see {@link #data}). */
  int frameLength() {
    return data == null ? 0 : offset == 0 && length == 0 ? data.length : length;
  }

  public static String key(KeyedPacket p) {
    return p.key;
  }

  /** The node that captured the packet. */
  String node() {
    return PacketKeys.node(key);
  }
}
