package io.sluice.ebpf;

import io.sluice.ingest.ConversationKey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.wire.SocketEvent;
import io.sluice.wire.SocketEventKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class RecordsTest {
  @Test
  void keyIsTheSameForBothDirections() {
    byte[] a = ConversationKey.addr16(new byte[] {10, (byte) 200, 1, 2}, 0, true);
    byte[] b = ConversationKey.addr16(new byte[] {10, (byte) 200, 1, 1}, 0, true);
    assertArrayEquals(ConversationKey.of(a, 40000, b, 53), ConversationKey.of(b, 53, a, 40000));
    assertFalse(java.util.Arrays.equals(ConversationKey.of(a, 40000, b, 53), ConversationKey.of(a, 40001, b, 53)));
  }

  @Test
  void frameKeyMatchesTheSocketKey() {
    byte[] f = new byte[14 + 20 + 8];
    f[12] = 0x08;
    f[14] = 0x45;
    f[14 + 9] = 17;
    System.arraycopy(new byte[] {10, (byte) 200, 1, 2, 10, (byte) 200, 1, 1}, 0, f, 14 + 12, 8);
    f[34] = (byte) 0x9c;  // 40000
    f[35] = 0x40;
    f[37] = 53;
    byte[] a = ConversationKey.addr16(new byte[] {10, (byte) 200, 1, 2}, 0, true);
    byte[] b = ConversationKey.addr16(new byte[] {10, (byte) 200, 1, 1}, 0, true);
    assertArrayEquals(ConversationKey.of(b, 53, a, 40000), Records.frameKey(f, 0, f.length));
  }

  @Test
  void frameKeyOfIpv6AndVlanFramesMatchesTheSocketKey() {
    java.util.Random rnd = new java.util.Random(7);
    byte[] reused = new byte[Records.KEY_LENGTH];  // the drain thread's one key: IPv4 after IPv6 must not keep its bytes
    java.util.Arrays.fill(reused, (byte) 0x5a);
    for (int i = 0; i < 500; i++) {
      boolean v6 = i % 2 == 0;
      boolean vlan = i % 3 == 0;
      int l3 = vlan ? 18 : 14;
      int addrLen = v6 ? 16 : 4;
      byte[] f = new byte[l3 + (v6 ? 40 : 20) + 8];
      f[12] = (byte) (vlan ? 0x81 : (v6 ? 0x86 : 0x08));
      f[13] = (byte) (vlan ? 0x00 : (v6 ? 0xdd : 0x00));
      if (vlan) {
        f[16] = (byte) (v6 ? 0x86 : 0x08);
        f[17] = (byte) (v6 ? 0xdd : 0x00);
      }
      f[l3] = (byte) (v6 ? 0x60 : 0x45);
      f[l3 + (v6 ? 6 : 9)] = (byte) (i % 4 < 2 ? 17 : 6); // UDP or TCP: other protocols have no ports in the key
      byte[] src = new byte[addrLen];
      byte[] dst = new byte[addrLen];
      rnd.nextBytes(src);
      if (i % 5 == 0) {
        System.arraycopy(src, 0, dst, 0, addrLen);  // same address both ends: the ports decide
      } else {
        rnd.nextBytes(dst);
      }
      int srcAt = l3 + (v6 ? 8 : 12);
      System.arraycopy(src, 0, f, srcAt, addrLen);
      System.arraycopy(dst, 0, f, srcAt + addrLen, addrLen);
      int l4 = l3 + (v6 ? 40 : 20);
      int sport = rnd.nextInt(65536);
      int dport = rnd.nextInt(65536);
      f[l4] = (byte) (sport >> 8);
      f[l4 + 1] = (byte) sport;
      f[l4 + 2] = (byte) (dport >> 8);
      f[l4 + 3] = (byte) dport;
      byte[] want = ConversationKey.of(ConversationKey.addr16(src, 0, !v6), sport, ConversationKey.addr16(dst, 0, !v6), dport);
      assertArrayEquals(want, Records.frameKey(f, 0, f.length), "frame " + i);
      assertTrue(Records.frameKey(f, 0, f.length, reused));
      assertArrayEquals(want, reused, "frame " + i + " into a reused key");
      byte[] noPorts = ConversationKey.of(ConversationKey.addr16(src, 0, !v6), 0, ConversationKey.addr16(dst, 0, !v6), 0);
      assertArrayEquals(noPorts, Records.frameKey(f, 0, l4 + 2), "frame " + i + " cut before the ports");
    }
  }

  @Test
  void udpSendReadsAsAConnectedSocket() {
    ByteBuffer r = ByteBuffer.allocate(Records.SOCKET_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    r.put((byte) 2).put((byte) 3).put((byte) 1).put((byte) 2).putShort((short) 40000).putShort((short) 53);
    r.putInt(1234).putInt(1235).putLong(1_000).putLong(77).putInt(4026531840L > 0 ? (int) 4026531840L : 0).putInt(17);
    r.position(56).put(new byte[] {10, (byte) 200, 1, 2});
    r.position(72).put(new byte[] {10, (byte) 200, 1, 1});
    r.position(88).put("dig".getBytes());
    SocketEvent e = Records.socket(r.array(), 5).build();
    assertEquals(SocketEventKind.STATE_CHANGE, e.getKind());
    assertEquals(Records.TCP_CLOSE, e.getOldState());
    assertEquals(Records.TCP_ESTABLISHED, e.getNewState());
    assertEquals("dig", e.getComm());
    assertEquals(1234, e.getPid());
    assertTrue(e.getPidTrusted());
    assertEquals(40000, e.getSrcPort());
    assertEquals(1_005, e.getEventNs());
    assertEquals(4026531840L, e.getNetns());
    assertEquals(77, e.getCgroupId());
  }

  @Test
  void tcpCountersAndErrorAtAClose() {
    ByteBuffer r = ByteBuffer.allocate(Records.SOCKET_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    r.put((byte) 2).put((byte) 1).put((byte) 0).put((byte) 2).putShort((short) 40000).putShort((short) 80);
    r.position(36).putInt(6).putInt(2).putInt(7).putInt(20_500).putInt(111);
    r.position(104).putLong(5_000_000_000L).putLong(77_000).putInt(41).putInt(39).putInt(3).putInt(0).putLong(991);
    SocketEvent e = Records.socket(r.array(), 0).build();
    assertEquals(2, e.getOldState());
    assertEquals(7, e.getNewState());
    assertEquals(20_500, e.getSrttUs());
    assertEquals(111, e.getSkErr());
    assertEquals(5_000_000_000L, e.getBytesOut());
    assertEquals(77_000, e.getBytesIn());
    assertEquals(41, e.getSegsOut());
    assertEquals(39, e.getSegsIn());
    assertEquals(3, e.getRetransSegs());
    assertEquals(991, e.getSocketCookie());
  }

  @Test
  void containerIdFromCgroupPaths() {
    String id = "4c01db0b339c6b3e1e0c4c8a8b7f2d5c6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b";
    assertEquals(id, Cgroups.containerIdOf("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-" + id + ".scope"));
    assertEquals(id, Cgroups.containerIdOf("/system.slice/docker-" + id + ".scope"));
    assertEquals(id, Cgroups.containerIdOf("/docker/" + id));
    assertEquals("", Cgroups.containerIdOf("/user.slice/user-0.slice/session-1.scope"));
    assertEquals("", Cgroups.containerIdOf(null));
  }
}
