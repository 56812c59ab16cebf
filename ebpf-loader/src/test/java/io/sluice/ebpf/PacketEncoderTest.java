package io.sluice.ebpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.sluice.wire.CapturedPacket;
import io.sluice.wire.CapturedPacketBatch;
import io.sluice.wire.Direction;
import io.sluice.wire.LinkType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-written encoding must be byte for byte what protobuf's generated encoder makes of the same fields. */
class PacketEncoderTest {
  static final long OFFSET = 1_700_000_000_000_000_000L;

  @TempDir Path cgroupRoot;

  /** A packet record as events.h lays it out, carrying frame. */
  static byte[] record(int direction, int ifindex, int origLen, long ts, long cgroup, byte[] frame, int capLen) {
    ByteBuffer b = ByteBuffer.allocate(Records.PACKET_HEADER + frame.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) Records.PACKET).put((byte) direction).putShort((short) capLen).putInt(ifindex).putInt(origLen)
        .putInt(0).putLong(ts).putLong(cgroup).put(frame);
    return b.array();
  }

  static CapturedPacket expected(String node, String iface, int direction, int ifindex, int origLen, long ts,
      long cgroup, String container, byte[] frame, int cap) {
    return CapturedPacket.newBuilder().setCapturedNs(ts + OFFSET).setNode(node).setInterface(iface)
        .setIfIndex(ifindex).setDirection(Direction.forNumber(direction)).setSnapLen(cap).setOrigLen(origLen)
        .setLinkType(LinkType.ETHERNET).setData(ByteString.copyFrom(frame, 0, cap)).setCgroupId(cgroup)
        .setContainer(container).build();
  }

  @Test
  void bytesEqualProtobufsOwnEncoding() throws Exception {
    String id = "4c01db0b339c6b3e1e0c4c8a8b7f2d5c6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b";
    Path container = Files.createDirectories(cgroupRoot.resolve("system.slice/docker-" + id + ".scope"));
    long containerCgroup = ((Number) Files.getAttribute(container, "unix:ino")).longValue();
    long plainCgroup = ((Number) Files.getAttribute(cgroupRoot.resolve("system.slice"), "unix:ino")).longValue();
    Map<Integer, String> names = Map.of(2, "eth0", 300, "veth-ü");
    PacketEncoder enc = new PacketEncoder("node-1", OFFSET, names::get, new Cgroups(cgroupRoot));
    List<CapturedPacket> batched = new ArrayList<>();
    List<CapturedPacket> wanted = new ArrayList<>();
    PacketBatcher batcher = new PacketBatcher(1, (p, value, n) -> {
      try {
        batched.addAll(CapturedPacketBatch.parseFrom(value).getPacketsList());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, true);
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    for (int i = 0; i < 2000; i++) {
      byte[] frame = new byte[rnd.nextInt(0, 300)];
      rnd.nextBytes(frame);
      int cap = rnd.nextInt(0, frame.length + 1);
      int direction = rnd.nextInt(0, 3);
      int ifindex = switch (i % 4) { case 0 -> 2; case 1 -> 300; case 2 -> 7; default -> -5; };
      int origLen = i % 5 == 0 ? 0 : rnd.nextInt(0, 70_000);
      long ts = i % 7 == 0 ? -OFFSET : rnd.nextLong(0, Long.MAX_VALUE / 2);
      long cgroup = switch (i % 3) { case 0 -> 0; case 1 -> containerCgroup; default -> plainCgroup; };
      String containerId = cgroup == containerCgroup ? id : "";
      String iface = names.getOrDefault(ifindex, "");
      byte[] rec = record(direction, ifindex, origLen, ts, cgroup, frame, cap);
      CapturedPacket want = expected("node-1", iface, direction, ifindex, origLen, ts, cgroup, containerId, frame, cap);
      byte[] got = enc.encode(rec, rec.length);
      assertArrayEquals(want.toByteArray(), got, () -> "record " + want);
      assertEquals(want, CapturedPacket.parseFrom(got));
      batcher.add(0, enc.prepare(rec, rec.length), enc);  // the drain path: straight into the batch
      wanted.add(want);
    }
    batcher.flush();
    assertEquals(wanted, batched, "encoded into batches, the same packets");
  }

  @Test
  void capLenBeyondTheRecordIsCut() throws Exception {
    byte[] frame = {1, 2, 3, 4};
    byte[] rec = record(2, 2, 100, 5, 0, frame, 60);
    CapturedPacket p = CapturedPacket.parseFrom(new PacketEncoder("n", 0, i -> null, new Cgroups(null)).encode(rec, rec.length));
    assertEquals(4, p.getSnapLen());
    assertEquals(ByteString.copyFrom(frame), p.getData());
  }
}
