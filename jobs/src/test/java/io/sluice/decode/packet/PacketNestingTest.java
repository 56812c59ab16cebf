package io.sluice.decode.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.flow.DecodeCounters;
import io.sluice.decode.flow.DecodeProblem;
import io.sluice.decode.flow.ExporterState;
import io.sluice.decode.flow.FlowDecoder;
import io.sluice.testing.HostileInputs;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Nested MPLS pseudowires (issue 21): parsed in a loop up to a cap, never by recursion, whatever the stack. */
class PacketNestingTest {
  @Test
  void pseudowiresUpToTheCapReachTheInnerPacket() {
    PacketHeader h = new PacketHeader();
    byte[] frame = HostileInputs.nestedPseudowires(PacketParser.MAX_PSEUDOWIRE_NESTING);
    assertTrue(PacketParser.parse(PacketParser.LINKTYPE_ETHERNET, frame, 0, frame.length, h));
    assertFalse(h.tooDeep);
    assertEquals(PacketParser.PROTO_UDP, h.protocol);
    assertEquals(53, h.dstPort);
    assertEquals(PacketParser.MAX_PSEUDOWIRE_NESTING, h.mplsCount);
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 2}, h.dstAddr);
  }

  @Test
  void oneLevelMoreIsTooDeep() {
    PacketHeader h = new PacketHeader();
    byte[] frame = HostileInputs.nestedPseudowires(PacketParser.MAX_PSEUDOWIRE_NESTING + 1);
    assertFalse(PacketParser.parse(PacketParser.LINKTYPE_ETHERNET, frame, 0, frame.length, h));
    assertTrue(h.tooDeep);
    assertFalse(h.truncated);
    assertEquals(0, h.ipVersion);
    assertTrue(PacketParser.parse(PacketParser.LINKTYPE_ETHERNET, HostileInputs.nestedPseudowires(1), 0,
        HostileInputs.nestedPseudowires(1).length, h));
    assertFalse(h.tooDeep, "reset clears it");
  }

  /** The review's 66 KB frame, parsed on a thread with a 64 KB stack (a recursive parser overflows it). */
  @Test
  void theCraftedFrameIsRejectedOnASmallStack() throws Exception {
    byte[] frame = HostileInputs.nestedPseudowires(3_000);
    assertTrue(frame.length > 66_000);
    AtomicReference<Object> result = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        PacketHeader h = new PacketHeader();
        boolean ok = PacketParser.parse(PacketParser.LINKTYPE_ETHERNET, frame, 0, frame.length, h);
        result.set(ok + "/" + h.tooDeep);
      } catch (Throwable e) {
        result.set(e);
      }
    }, "small-stack", 64 * 1024);
    t.start();
    t.join();
    assertEquals("false/true", String.valueOf(result.get()));
  }

  /** An sFlow raw-header sample of legal size (2,970 levels) is counted as a problem, not thrown, on a small stack. */
  @Test
  void anSflowSampleOfTheCraftedFrameIsCounted() throws Exception {
    byte[] datagram = HostileInputs.sflowRawHeader(new byte[] {10, 9, 9, 9}, HostileInputs.nestedPseudowires(2_970));
    assertTrue(datagram.length <= 65_507, "fits a UDP datagram: " + datagram.length);
    DecodeCounters counters = new DecodeCounters();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t = new Thread(null, () -> {
      try {
        new FlowDecoder().decode(datagram, 0, datagram.length, new byte[16], 0, new ExporterState(), r -> {}, counters);
      } catch (Throwable e) {
        thrown.set(e);
      }
    }, "small-stack", 64 * 1024);
    t.start();
    t.join();
    assertNull(thrown.get());
    assertEquals(1, counters.problems(DecodeProblem.PACKET_NESTING_TOO_DEEP));
  }
}
