package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.net.IpAddresses;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-thread shortcuts to the L7Job's keys give the keys (and nodes) the plain functions give. */
class PacketKeysTest {
  private static final List<String> NODES = List.of("node-1", "node-1", "nœud-ü", "узел-Ω", "", "node-1", "node-12",
      "node", "node-1");

  @Test
  void theBuilderMakesTheKeysOfPacketKeys() {
    PacketKeys.Builder keys = new PacketKeys.Builder();
    PacketHeader h = new PacketHeader();
    byte[] a = IpAddresses.parse("10.0.0.1");
    byte[] b = IpAddresses.parse("fe80::c0a8:c8ff");
    int port = 40_000;
    for (String node : NODES) {
      for (boolean swapped : new boolean[] {false, true}) {
        System.arraycopy(swapped ? b : a, 0, h.srcAddr, 0, 16);
        System.arraycopy(swapped ? a : b, 0, h.dstAddr, 0, 16);
        h.srcPort = swapped ? 53 : port;
        h.dstPort = swapped ? port : 53;
        // a new String each time, as each packet of PacketRecords' record may carry one
        String key = keys.conversation(new String(node), h);
        assertEquals(PacketKeys.conversation(node, a, port, b, 53), key, node);
        assertEquals(node, PacketKeys.node(key));
      }
      port++;
    }
  }

  @Test
  void nodesAreTheKeysNodes() {
    PacketKeys.Nodes nodes = new PacketKeys.Nodes();
    byte[] a = IpAddresses.parse("10.0.0.1");
    byte[] b = IpAddresses.parse("10.0.0.2");
    for (String node : NODES) {
      assertEquals(node, nodes.of(PacketKeys.conversation(node, a, 53, b, 40_000)));
    }
  }
}
