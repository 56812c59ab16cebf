package io.sluice.ebpf;

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
  void containerIdFromCgroupPaths() {
    String id = "4c01db0b339c6b3e1e0c4c8a8b7f2d5c6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b";
    assertEquals(id, Cgroups.containerIdOf("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-" + id + ".scope"));
    assertEquals(id, Cgroups.containerIdOf("/system.slice/docker-" + id + ".scope"));
    assertEquals(id, Cgroups.containerIdOf("/docker/" + id));
    assertEquals("", Cgroups.containerIdOf("/user.slice/user-0.slice/session-1.scope"));
    assertEquals("", Cgroups.containerIdOf(null));
  }
}
