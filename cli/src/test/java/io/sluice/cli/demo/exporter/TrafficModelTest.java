package io.sluice.cli.demo.exporter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo traffic: repeatable from its seed, shaped like an edge router's (heavy hitters, a day curve, a mix). */
class TrafficModelTest {
  private static final long NOW = 1_796_554_000_000L;
  private static final long DAY = 600_000;

  private static List<DemoFlow> flows(long seed, int n) {
    TrafficModel model = new TrafficModel(seed, Site.edgeRouter(), DAY);
    List<DemoFlow> flows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      flows.add(model.next(NOW + i, 1));
    }
    return flows;
  }

  @Test
  void theSameSeedGivesTheSameDatagramsAndAnotherSeedOthers() {
    List<byte[]> a = new DemoExporter("x", "127.0.0.31", DemoExporter.Kind.IPFIX, 100, 5, DAY, NOW).tick(NOW, 50, null);
    List<byte[]> b = new DemoExporter("x", "127.0.0.31", DemoExporter.Kind.IPFIX, 100, 5, DAY, NOW).tick(NOW, 50, null);
    List<byte[]> c = new DemoExporter("x", "127.0.0.31", DemoExporter.Kind.IPFIX, 100, 6, DAY, NOW).tick(NOW, 50, null);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i));
    }
    assertFalse(java.util.Arrays.equals(a.get(a.size() - 1), c.get(c.size() - 1)));
  }

  @Test
  void aFewHostsCarryMostRecordsAndTheTailIsLong() throws Exception {
    Map<String, Integer> perRemote = new HashMap<>();
    for (DemoFlow f : flows(1, 20_000)) {
      boolean download = f.inIf() < 10;
      perRemote.merge(InetAddress.getByAddress(download ? f.srcAddr() : f.dstAddr()).getHostAddress(), 1, Integer::sum);
    }
    List<Integer> counts = perRemote.values().stream().sorted(Comparator.reverseOrder()).toList();
    int top = counts.subList(0, counts.size() / 20).stream().mapToInt(Integer::intValue).sum();
    assertTrue(top > 20_000 * 0.4, "the top 5% of remote hosts carry over 40% of the records: " + top);
    assertTrue(counts.size() > 1000, "a long tail of remote hosts: " + counts.size());
  }

  @Test
  void theMixHasBothFamiliesTheUsualProtocolsAndPlausibleSizes() {
    List<DemoFlow> flows = flows(2, 5000);
    long v6 = flows.stream().filter(DemoFlow::ipv6).count();
    assertTrue(v6 > 1000 && v6 < 2500, "about a third IPv6: " + v6);
    Map<Integer, Long> byProtocol = new HashMap<>();
    flows.forEach(f -> byProtocol.merge(f.protocol(), 1L, Long::sum));
    assertEquals(List.of(1, 6, 17, 58), byProtocol.keySet().stream().sorted().toList());
    assertTrue(byProtocol.get(6) > byProtocol.get(17) && byProtocol.get(17) > byProtocol.get(1));
    for (DemoFlow f : flows) {
      assertTrue(f.packetSize() >= 28 && f.packetSize() <= 1600, "packet size " + f.packetSize());
      assertTrue(f.endMs() <= NOW + 5000 && f.startMs() <= f.endMs() && f.endMs() - f.startMs() <= 60_000);
      assertTrue(f.srcAs() != 0 && f.dstAs() != 0 && f.srcAs() != f.dstAs());
      boolean download = f.inIf() < 10;
      assertEquals(download, f.outIf() > 10, "one side upstream, the other a customer");
      if (f.protocol() == 6 || f.protocol() == 17) {
        assertTrue(f.srcPort() > 0 && f.dstPort() > 0);
      }
    }
    assertTrue(flows.stream().anyMatch(f -> f.protocol() == 6 && (f.srcPort() == 443 || f.dstPort() == 443)));
    assertTrue(flows.stream().anyMatch(f -> f.protocol() == 17 && (f.srcPort() == 53 || f.dstPort() == 53)));
  }

  @Test
  void theRateFollowsADayCompressedIntoMinutes() {
    TrafficModel model = new TrafficModel(1, Site.edgeRouter(), DAY);
    long midnight = NOW - Math.floorMod(NOW, DAY);
    double night = model.rateFactor(midnight + DAY * 4 / 24);
    double evening = model.rateFactor(midnight + DAY * 21 / 24);
    double noon = model.rateFactor(midnight + DAY / 2);
    assertTrue(night <= 0.3 && evening >= 0.95 && noon > night && noon < evening, night + " " + noon + " " + evening);
    assertEquals(model.rateFactor(midnight + 1234), model.rateFactor(midnight + DAY + 1234), 1e-12, "every day the same");
  }
}
