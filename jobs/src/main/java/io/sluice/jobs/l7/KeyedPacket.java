package io.sluice.jobs.l7;

/**
 * A frame with the key it is processed under: the node and the unordered address/port pair (a conversation), or,
 * for an IP fragment, the node and the datagram it belongs to. Frames of one node never share state with
 * another node's, even when both saw the same conversation.
 */
public final class KeyedPacket {
  public String key;
  public String node;
  public long capturedNs;
  public int linkType;
  public byte[] data;

  public KeyedPacket() {}

  KeyedPacket(String key, String node, long capturedNs, int linkType, byte[] data) {
    this.key = key;
    this.node = node;
    this.capturedNs = capturedNs;
    this.linkType = linkType;
    this.data = data;
  }

  public static String key(KeyedPacket p) {
    return p.key;
  }
}
