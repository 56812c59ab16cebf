package io.sluice.decode.l7.capture;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import io.sluice.l7.Conversation;
import io.sluice.l7.L7Config;
import io.sluice.l7.L7Context;
import io.sluice.l7.L7Engine;
import io.sluice.l7.L7Sink;
import io.sluice.l7.L7Summary;
import io.sluice.l7.reassembly.MemoryBudget;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Test helper: a capture's TCP packets through {@link Conversation}s that are written to bytes and read back
 * after every packet, as the L7Job keeps them in keyed state.
 */
final class KeyedStateReplay {
  private KeyedStateReplay() {}

  static void run(Path capture, L7Sink sink) throws Exception {
    L7Summary summary = new L7Summary();
    L7Context cx = new L7Context(L7Config.defaults(), summary, sink, new MemoryBudget(Long.MAX_VALUE));
    Map<String, byte[]> state = new HashMap<>();
    PacketHeader header = new PacketHeader();
    try (CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame f = reader.readNext(); f != null; f = reader.readNext()) {
        PacketHeader h = L7Engine.triage(f.linkType(), f.data(), f.capturedLength(), header, summary);
        if (h == null || h.protocol != 6) {
          continue;
        }
        String a = java.util.Arrays.toString(h.srcAddr) + h.srcPort;
        String b = java.util.Arrays.toString(h.dstAddr) + h.dstPort;
        String key = a.compareTo(b) < 0 ? a + b : b + a;
        byte[] saved = state.get(key);
        Conversation c = saved == null ? new Conversation(cx)
            : Conversation.read(new DataInputStream(new ByteArrayInputStream(saved)), cx);
        c.onPacket(h, f.data(), f.timestampNs());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.write(new DataOutputStream(out));
        state.put(key, out.toByteArray());
      }
    }
    for (byte[] saved : state.values()) {
      Conversation.read(new DataInputStream(new ByteArrayInputStream(saved)), cx).finish();
    }
  }
}
