package io.sluice.jobs.l7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.packet.PacketParser;
import io.sluice.l7.ProcessAttribution;
import io.sluice.store.sink.RowBinary;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The process join of the L7Job's keyed operator: dns rows name the process of the socket event on their
 * conversation, whichever input arrives first; an untrusted pid is not used; idle sightings are dropped.
 */
class JoinConversationsTest {
  static final String NODE = "n1";
  static final long T = 1_700_000_000_000_000_000L;
  static final long MS = 1_000_000L;
  static final byte[] CLIENT = mapped(10, 0, 0, 2);
  static final byte[] SERVER = mapped(10, 0, 0, 1);

  private KeyedTwoInputStreamOperatorTestHarness<String, KeyedPacket, KeyedSocket, byte[]> harness;
  private JoinConversations join;

  @BeforeEach
  void open() throws Exception {
    join = new JoinConversations();
    harness = ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(join, KeyedPacket::key,
        KeyedSocket::key, PacketKeySerializer.TYPE);
    harness.open();
  }

  @AfterEach
  void close() throws Exception {
    harness.close();
  }

  @Test
  void aSocketEventArrivingAfterItsPacketsStillNamesTheRow() throws Exception {
    query(7, 40000, T);
    socket(T - 50_000, 40000, true, 4242, "dig", 77);
    passes(T + MS);
    assertEquals(1, harness.extractOutputValues().size());
    assertProcess(0, 4242, "dig", "", 77);
  }

  @Test
  void aSocketEventArrivingFirstNamesTheRow() throws Exception {
    socket(T - 50_000, 40000, true, 4242, "dig", 77);
    query(7, 40000, T);
    passes(T + MS);
    assertProcess(0, 4242, "dig", "", 77);
  }

  @Test
  void anUntrustedPidIsNotUsedButTheSocketsCgroupIs() throws Exception {
    socket(T - 50_000, 40000, false, 13, "ksoftirqd/0", 78);
    query(7, 40000, T);
    passes(T + MS);
    assertProcess(0, 0, "", "", 78);
  }

  @Test
  void theSocketsPodAndNamespaceLabelTheRow() throws Exception {
    socket(T - 50_000, 40000, true, 4242, "dig", "c0ffee", "web-7f9c", "shop", 77);
    query(7, 40000, T);
    passes(T + MS);
    assertProcess(0, 4242, "dig", "c0ffee", "web-7f9c", "shop", 77);
  }

  @Test
  void anUntrustedSocketEventStillGivesThePod() throws Exception {
    socket(T - 50_000, 40000, false, 13, "ksoftirqd/0", "c0ffee", "web-7f9c", "shop", 78);
    query(7, 40000, T);
    passes(T + MS);
    assertProcess(0, 0, "", "c0ffee", "web-7f9c", "shop", 78);
  }

  @Test
  void sightingsAreDroppedOnceTheConversationIsIdleForTheKeepTime() throws Exception {
    socket(T - 50_000, 40000, true, 4242, "dig", 77);
    query(7, 40000, T);
    passes(T + MS);
    assertEquals(1, harness.numKeyedStateEntries(), "the sightings and their expiry timer's time stay (one state)");
    assertEquals(1, harness.numEventTimeTimers(), "the expiry timer");
    query(8, 40000, T + 5_000 * MS); // within the keep time: same socket
    passes(T + 5_001 * MS);
    passes(T + ProcessAttribution.KEEP_NS + 5_000 * MS);
    assertEquals(0, harness.numKeyedStateEntries(), "nothing left for the conversation");
    query(9, 40000, T + ProcessAttribution.KEEP_NS + 6_000 * MS);
    passes(T + ProcessAttribution.KEEP_NS + 6_001 * MS);
    assertProcess(0, 4242, "dig", "", 77);
    assertProcess(1, 4242, "dig", "", 77);
    assertProcess(2, 0, "", "", 0);
  }

  /** Packets of one conversation in several milliseconds wait under one timer, and all give their rows. */
  @Test
  void aConversationsQueuedPacketsWaitUnderOneTimer() throws Exception {
    query(7, 40000, T);
    query(8, 40000, T + 3 * MS);
    query(9, 40000, T + 6 * MS);
    assertEquals(1, harness.numEventTimeTimers(), "one timer, at the earliest queued packet");
    passes(T + MS);
    assertEquals(1, harness.extractOutputValues().size(), "the first query's row; the rest wait");
    assertEquals(1, harness.numEventTimeTimers(), "one timer again, at the next queued packet");
    passes(T + 7 * MS);
    assertEquals(3, harness.extractOutputValues().size());
    assertEquals(0, harness.numKeyedStateEntries(), "nothing left");
  }

  /**
   * Two queries pending; the watermark jumps past the first one's deadline, the second one's answer and its deadline
   * at once. The deadline's timer comes first, but the queued answer still goes in before the timeouts run: query 1
   * is answered, query 0 times out.
   */
  @Test
  void aTimeoutDoesNotPassAnAnswerStillQueued() throws Exception {
    packet(udp(CLIENT, 40000, SERVER, 53, dns(0, false)), T);
    packet(udp(CLIENT, 40000, SERVER, 53, dns(1, false)), T + 2_000 * MS);
    passes(T + 2_001 * MS);
    packet(udp(SERVER, 53, CLIENT, 40000, dns(1, true)), T + 11_000 * MS); // before query 1's deadline, after query 0's
    passes(T + 20_000 * MS);
    assertEquals(1, join.summary(NODE).dnsPairs, "query 1 answered");
    assertEquals(1, join.summary(NODE).dnsTimeouts, "query 0 timed out");
  }

  /** A packet event time has already passed is counted as packet_late and still joined, not dropped. */
  @Test
  void aLatePacketIsCountedAndStillJoined() throws Exception {
    query(7, 40000, T);
    passes(T + MS);
    assertEquals(0, late(), "packets on time are not late");
    query(8, 40000, T - 5 * MS); // both messages behind the watermark
    passes(T + 2 * MS);
    assertEquals(2, harness.extractOutputValues().size(), "the late exchange still gives its row");
    assertEquals(2, late());
  }

  private long late() {
    return join.summary(NODE).problems.get(L7Problem.PACKET_LATE);
  }

  private void query(int id, int clientPort, long ns) throws Exception {
    byte[] q = dns(id, false);
    packet(udp(CLIENT, clientPort, SERVER, 53, q), ns);
    packet(udp(SERVER, 53, CLIENT, clientPort, dns(id, true)), ns + 200_000);
  }

  private void packet(byte[] ip, long ns) throws Exception {
    KeyedPacket p = new KeyedPacket(PacketKeys.conversation(NODE, CLIENT, 40000, SERVER, 53), ns,
        PacketParser.LINKTYPE_RAW, ip);
    harness.processElement1(p, ns / MS);
  }

  private void socket(long ns, int localPort, boolean trusted, int pid, String comm, long cgroup) throws Exception {
    socket(ns, localPort, trusted, pid, comm, "", "", "", cgroup);
  }

  private void socket(long ns, int localPort, boolean trusted, int pid, String comm, String container, String pod,
      String podNamespace, long cgroup) throws Exception {
    harness.processElement2(sighting(ns, localPort, trusted, pid, comm, container, pod, podNamespace, cgroup), ns / MS);
  }

  /** A UDP socket event of {@link #CLIENT}'s port {@code localPort} towards {@link #SERVER}:53. */
  static KeyedSocket sighting(long ns, int localPort, boolean trusted, int pid, String comm, String container,
      String pod, String podNamespace, long cgroup) {
    KeyedSocket s = new KeyedSocket();
    s.key = PacketKeys.conversation(NODE, CLIENT, localPort, SERVER, 53);
    s.eventNs = ns;
    s.localAddr = CLIENT;
    s.localPort = localPort;
    s.protocol = 17;
    s.trusted = trusted;
    s.pid = pid;
    s.comm = comm;
    s.container = container;
    s.pod = pod;
    s.podNamespace = podNamespace;
    s.cgroupId = cgroup;
    return s;
  }

  /** Both inputs' event time passes {@code ns} by the join's wait for late socket events. */
  private void passes(long ns) throws Exception {
    harness.processBothWatermarks(new Watermark((ns + ProcessAttribution.AFTER_NS) / MS + 1));
  }

  private void assertProcess(int row, int pid, String comm, String container, long cgroup) {
    assertProcess(row, pid, comm, container, "", "", cgroup);
  }

  /** A dns row ends with pid, comm, container, pod, pod_namespace, cgroup_id (RowBinary). */
  private void assertProcess(int row, int pid, String comm, String container, String pod, String podNamespace,
      long cgroup) {
    byte[] encoded = harness.extractOutputValues().get(row);
    RowBinary tail = new RowBinary(64).uint32(pid).string(comm).string(container).string(pod).string(podNamespace)
        .uint64(cgroup);
    byte[] expected = Arrays.copyOf(tail.array(), tail.size());
    assertArrayEquals(expected, Arrays.copyOfRange(encoded, encoded.length - expected.length, encoded.length),
        "process fields of row " + row);
  }

  static byte[] mapped(int a, int b, int c, int d) {
    byte[] m = new byte[16];
    m[10] = (byte) 0xff;
    m[11] = (byte) 0xff;
    m[12] = (byte) a;
    m[13] = (byte) b;
    m[14] = (byte) c;
    m[15] = (byte) d;
    return m;
  }

  static byte[] dns(int id, boolean response) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(id >>> 8);
    b.write(id);
    b.writeBytes(response ? new byte[] {(byte) 0x81, (byte) 0x80} : new byte[] {1, 0});
    b.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : "www.sluice.test".split("\\.")) {
      b.write(label.length());
      b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    b.writeBytes(new byte[] {0, 0, 1, 0, 1});
    return b.toByteArray();
  }

  /** A raw IPv4 UDP packet between two mapped addresses. */
  static byte[] udp(byte[] src, int sport, byte[] dst, int dport, byte[] payload) {
    byte[] p = new byte[28 + payload.length];
    p[0] = 0x45;
    p[2] = (byte) (p.length >>> 8);
    p[3] = (byte) p.length;
    p[8] = 64;
    p[9] = 17;
    System.arraycopy(src, 12, p, 12, 4);
    System.arraycopy(dst, 12, p, 16, 4);
    p[20] = (byte) (sport >>> 8);
    p[21] = (byte) sport;
    p[22] = (byte) (dport >>> 8);
    p[23] = (byte) dport;
    p[24] = (byte) ((8 + payload.length) >>> 8);
    p[25] = (byte) (8 + payload.length);
    System.arraycopy(payload, 0, p, 28, payload.length);
    return p;
  }
}
