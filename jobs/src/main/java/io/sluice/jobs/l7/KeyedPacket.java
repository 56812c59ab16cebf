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
  public byte[] data;

  public KeyedPacket() {}

  KeyedPacket(String key, long capturedNs, int linkType, byte[] data) {
    this.key = key;
    this.capturedNs = capturedNs;
    this.linkType = linkType;
    this.data = data;
  }

  public static String key(KeyedPacket p) {
    return p.key;
  }

  /** The node that captured the packet. */
  String node() {
    return PacketKeys.node(key);
  }
}
