package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.l7.L7Problem;
import org.junit.jupiter.api.Test;

/** A DNS response split into IPv4 fragments, out of order, still pairs with its query; lost fragments time out. */
class IpDefragmenterTest {
  private static byte[] udp(int srcPort, int dstPort, byte[] payload, boolean toServer) {
    byte[] p = new byte[28 + payload.length];
    p[0] = 0x45;
    p[2] = (byte) (p.length >>> 8);
    p[3] = (byte) p.length;
    p[4] = 0x12;
    p[5] = 0x34;
    p[9] = 17;
    p[12] = 10; p[15] = (byte) (toServer ? 1 : 2);
    p[16] = 10; p[19] = (byte) (toServer ? 2 : 1);
    p[20] = (byte) (srcPort >>> 8); p[21] = (byte) srcPort;
    p[22] = (byte) (dstPort >>> 8); p[23] = (byte) dstPort;
    p[24] = (byte) ((8 + payload.length) >>> 8); p[25] = (byte) (8 + payload.length);
    System.arraycopy(payload, 0, p, 28, payload.length);
    return p;
  }

  /** The IP payload bytes [from, to) of {@code whole} as one fragment. */
  private static byte[] fragment(byte[] whole, int from, int to, boolean more) {
    byte[] f = new byte[20 + (to - from)];
    System.arraycopy(whole, 0, f, 0, 20);
    System.arraycopy(whole, 20 + from, f, 20, to - from);
    f[2] = (byte) (f.length >>> 8);
    f[3] = (byte) f.length;
    int field = (from / 8) | (more ? 0x2000 : 0);
    f[6] = (byte) (field >>> 8);
    f[7] = (byte) field;
    return f;
  }

  private static byte[] response(int id) {
    byte[] q = TcpReassemblyTest.query(id, "fragmented.example");
    q[2] = (byte) 0x81;
    q[3] = (byte) 0x80;
    return q;
  }

  @Test
  void fragmentsOutOfOrderReassembleAndPair() {
    CollectingSink sink = new CollectingSink();
    L7Engine engine = new L7Engine(L7Config.defaults(), sink);
    byte[] query = udp(33333, 53, TcpReassemblyTest.query(77, "fragmented.example"), true);
    engine.onFrame(1_000, 101, query, query.length);
    byte[] whole = udp(53, 33333, response(77), false);
    int payload = whole.length - 20;
    byte[] first = fragment(whole, 0, 16, true);
    byte[] second = fragment(whole, 16, 32, true);
    byte[] last = fragment(whole, 32, payload, false);
    engine.onFrame(2_000, 101, last, last.length);
    engine.onFrame(2_100, 101, second, second.length);
    engine.onFrame(2_200, 101, first, first.length);
    engine.finish();
    assertEquals(1, sink.dns.size());
    assertEquals(RowStatus.ANSWERED, sink.dns.get(0).status());
    assertEquals(1_200, sink.dns.get(0).latencyNs(), "from the query to the fragment that completed the response (as tshark)");
    assertEquals(0, engine.budget().used());
  }

  @Test
  void aLostFragmentTimesOutAndIsCounted() {
    CollectingSink sink = new CollectingSink();
    L7Engine engine = new L7Engine(L7Config.defaults(), sink);
    byte[] whole = udp(53, 33333, response(78), false);
    byte[] first = fragment(whole, 0, 16, true);
    engine.onFrame(1_000, 101, first, first.length);
    engine.advanceWatermark(1_000 + L7Config.defaults().fragmentTimeoutNs() + 1);
    assertEquals(1, engine.summary().problems.get(L7Problem.IP_FRAGMENT_TIMEOUT));
    assertEquals(0, engine.budget().used());
    assertEquals(0, sink.dns.size());
  }
}
