package io.sluice.jobs.l7;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.ingest.ConversationKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The keys of captured packets in the L7 job's state: the node and the conversation ({@link ConversationKey}, the
 * Kafka key's definition), or the node and the datagram of a fragment.
 */
public final class PacketKeys {
  private PacketKeys() {}

  /** The node and the conversation (unordered address/port pair). */
  static String conversation(String node, PacketHeader h) {
    return conversation(node, h.srcAddr, h.srcPort, h.dstAddr, h.dstPort);
  }

  /** The node and the conversation of two endpoints, in either order (a socket event's key). */
  static String conversation(String node, byte[] a, int aPort, byte[] b, int bPort) {
    return node + '\0' + latin1(ConversationKey.of(a, aPort, b, bPort));
  }

  /** The node and the datagram a fragment belongs to: addresses, protocol, IP id, IP version. */
  static String fragment(String node, PacketHeader h) {
    ByteBuffer b = ByteBuffer.allocate(16 + 16 + 1 + 8 + 1);
    b.put(h.srcAddr).put(h.dstAddr).put((byte) h.protocol).putLong(h.ipId).put((byte) h.ipVersion);
    return node + '\0' + latin1(b.array());
  }

  static String node(String key) {
    return key.substring(0, key.indexOf('\0'));
  }

  /**
   * The conversation keys of one thread's packets ({@link #conversation(String, PacketHeader)}'s strings): the node's
   * Latin-1 bytes are kept from one packet to the next (packets come node by node), and a conversation seen a moment
   * ago gets its String again ({@link KeyCache}), hash computed, instead of the conversation's bytes, their String,
   * the concatenation's and a hash per packet.
   */
  static final class Builder {
    private final KeyCache cache = new KeyCache();
    private String node;
    /** The node's bytes, '\0', then room for the conversation; null when the node is not Latin-1. */
    private byte[] bytes;
    private int at;

    String conversation(String node, PacketHeader h) {
      if (node != this.node && !node.equals(this.node)) {
        start(node);
      }
      if (bytes == null) {
        return PacketKeys.conversation(node, h);
      }
      ConversationKey.of(h.srcAddr, h.srcPort, h.dstAddr, h.dstPort, bytes, at);
      return cache.of(bytes, bytes.length);
    }

    private void start(String node) {
      this.node = node;
      int n = node.length();
      bytes = new byte[n + 1 + ConversationKey.LENGTH];
      for (int i = 0; i < n; i++) {
        char c = node.charAt(i);
        if (c > 0xFF) {
          bytes = null;
          return;
        }
        bytes[i] = (byte) c;
      }
      at = n + 1;
    }
  }

  /**
   * The node of one thread's keys ({@link #node(String)}), the previous key's String again while keys of one node
   * follow each other (a String per call, and its hash in the per-node totals' map, otherwise).
   */
  static final class Nodes {
    private String last;

    String of(String key) {
      String n = last;
      if (n != null && key.length() > n.length() && key.charAt(n.length()) == '\0' && key.startsWith(n)) {
        return n;
      }
      last = node(key);
      return last;
    }
  }

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
