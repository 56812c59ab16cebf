package io.sluice.l7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/** Which socket event names a row's client: time order, trust, closes, sides, bounds. */
class ProcessAttributionTest {
  static final byte[] CLIENT = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 2};
  static final byte[] SERVER = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
  static final int UDP = 17;
  static final int TCP = 6;
  static final long ROW = 1_000_000_000_000L;
  static final L7Process DIG = new L7Process(4242, "dig", "", "", "", 77);
  static final L7Process SOFTIRQ = new L7Process(13, "ksoftirqd/0", "c0ffee", "web-7f9c", "shop", 78);

  static SocketSighting client(long ns, int protocol, boolean trusted, boolean closed, L7Process p) {
    return new SocketSighting(ns, CLIENT, 40000, protocol, trusted, closed, p);
  }

  @Test
  void aSocketSeenBeforeThePacketNamesTheRow() {
    ProcessAttribution a = new ProcessAttribution();
    a.add(client(ROW - 50_000, UDP, true, false, DIG));
    assertEquals(DIG, a.of(UDP, CLIENT, 40000, ROW));
  }

  @Test
  void aSocketSeenShortlyAfterThePacketNamesItTooButNotLater() {
    ProcessAttribution a = new ProcessAttribution();
    a.add(client(ROW + ProcessAttribution.AFTER_NS, TCP, true, false, DIG));
    assertEquals(DIG, a.of(TCP, CLIENT, 40000, ROW));
    assertEquals(L7Process.NONE, a.of(TCP, CLIENT, 40000, ROW - 1), "one ns beyond the bound");
  }

  @Test
  void theLatestSightingBeforeTheRowWinsOverAnEarlierOneAndOneAfter() {
    ProcessAttribution a = new ProcessAttribution();
    L7Process second = new L7Process(5, "curl", "", "", "", 77);
    a.add(client(ROW + 10, TCP, true, false, new L7Process(6, "later", "", "", "", 77)));
    a.add(client(ROW - 10, TCP, true, false, second));
    a.add(client(ROW - 20, TCP, true, false, DIG)); // arrives last, sorts first
    assertEquals(second, a.of(TCP, CLIENT, 40000, ROW));
  }

  @Test
  void theSocketsPodAndNamespaceLabelTheRowAsItsContainerDoes() {
    ProcessAttribution a = new ProcessAttribution();
    L7Process inPod = new L7Process(4242, "dig", "c0ffee", "web-7f9c", "shop", 77);
    a.add(client(ROW - 50_000, UDP, true, false, inPod));
    L7Process row = a.of(UDP, CLIENT, 40000, ROW);
    assertEquals("web-7f9c", row.pod());
    assertEquals("shop", row.podNamespace());
    assertEquals(inPod, row);
  }

  @Test
  void anUntrustedPidIsIgnoredButItsCgroupIsKeptWhenNothingElseIsKnown() {
    ProcessAttribution a = new ProcessAttribution();
    a.add(client(ROW - 10, TCP, false, false, SOFTIRQ));
    assertEquals(new L7Process(0, "", "c0ffee", "web-7f9c", "shop", 78), a.of(TCP, CLIENT, 40000, ROW));
    a.add(client(ROW + 10, TCP, true, false, DIG));
    assertEquals(DIG, a.of(TCP, CLIENT, 40000, ROW), "a trusted sighting, even after the packet, wins");
  }

  @Test
  void aCloseEndsTheSocketSoAReusedPortGetsItsNewOwnerOrNothing() {
    ProcessAttribution a = new ProcessAttribution();
    a.add(client(ROW - 3_000, TCP, true, false, DIG));
    a.add(client(ROW - 2_000, TCP, false, true, SOFTIRQ));
    assertEquals(L7Process.NONE, a.of(TCP, CLIENT, 40000, ROW), "the old owner closed before the row");
    assertEquals(DIG, a.of(TCP, CLIENT, 40000, ROW - 2_500), "a row of the old connection keeps it");
    L7Process next = new L7Process(99, "wget", "", "", "", 80);
    a.add(client(ROW - 1_000, TCP, true, false, next));
    assertEquals(next, a.of(TCP, CLIENT, 40000, ROW));
  }

  @Test
  void theServersSocketAndOtherProtocolsDoNotNameTheClient() {
    ProcessAttribution a = new ProcessAttribution();
    a.add(new SocketSighting(ROW - 10, SERVER, 53, UDP, true, false, new L7Process(1, "unbound", "", "", "", 5)));
    a.add(client(ROW - 10, TCP, true, false, DIG));
    assertEquals(L7Process.NONE, a.of(UDP, CLIENT, 40000, ROW));
    assertEquals(L7Process.NONE, a.of(TCP, CLIENT, 40001, ROW));
  }

  @Test
  void boundedKeepsTheNewestAndDropsByTime() {
    ProcessAttribution a = new ProcessAttribution();
    for (int i = 0; i < ProcessAttribution.MAX_SIGHTINGS + 4; i++) {
      a.add(client(ROW + i, UDP, true, false, new L7Process(i + 1, "p" + i, "", "", "", 1)));
    }
    assertEquals(L7Process.NONE, a.of(UDP, CLIENT, 40000, ROW + 3 - ProcessAttribution.AFTER_NS - 1),
        "the four oldest were dropped");
    assertEquals(5, a.of(UDP, CLIENT, 40000, ROW + 4).pid());
    a.dropBefore(ROW + ProcessAttribution.MAX_SIGHTINGS + 3);
    assertEquals(ROW + ProcessAttribution.MAX_SIGHTINGS + 3, a.newestNs());
    a.dropBefore(Long.MAX_VALUE);
    assertEquals(true, a.isEmpty());
  }

  @Test
  void theBinaryFormRoundTrips() throws Exception {
    ProcessAttribution a = new ProcessAttribution();
    a.add(client(ROW - 10, UDP, true, false, DIG));
    a.add(client(ROW - 5, TCP, false, true, SOFTIRQ));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    a.write(new DataOutputStream(bytes));
    ProcessAttribution b = ProcessAttribution.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertEquals(DIG, b.of(UDP, CLIENT, 40000, ROW));
    assertEquals(new L7Process(0, "", "c0ffee", "web-7f9c", "shop", 78), b.of(TCP, CLIENT, 40000, ROW - 6));
    assertEquals(ROW - 5, b.newestNs());
  }

  /** Checkpoints written before the pod fields: same layout without them, flag bit 4 clear. */
  @Test
  void sightingsFromBeforeThePodFieldsStillRead() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeShort(1);
    out.writeLong(ROW - 10);
    out.write(CLIENT);
    out.writeShort(40000);
    out.writeByte(UDP);
    out.writeByte(1); // trusted
    out.writeInt(4242);
    out.writeUTF("dig");
    out.writeUTF("c0ffee");
    out.writeLong(77);
    ProcessAttribution b = ProcessAttribution.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertEquals(new L7Process(4242, "dig", "c0ffee", "", "", 77), b.of(UDP, CLIENT, 40000, ROW));
  }
}
