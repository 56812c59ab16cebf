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

  private static String latin1(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
