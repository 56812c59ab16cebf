package io.sluice.l7;

import io.sluice.l7.reassembly.MemoryBudget;
import io.sluice.l7.reassembly.StreamConsumer;
import io.sluice.l7.reassembly.TcpStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.l7.L7Problem;
import io.sluice.decode.l7.ProblemCounts;
import io.sluice.decode.l7.dns.DnsMessage;
import io.sluice.decode.l7.dns.DnsParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TCP reassembly edge cases, and DNS-over-TCP framing on top of it. */
class TcpReassemblyTest {
  private static final long ISN = 0xFFFF_FFF0L; // data wraps around 2^32 within a few bytes

  private final MemoryBudget budget = new MemoryBudget(1 << 20);
  private final ProblemCounts problems = new ProblemCounts();

  /** Records delivered bytes, with "<gap n>" markers. */
  private static final class Recorder implements StreamConsumer {
    final StringBuilder out = new StringBuilder();

    @Override
    public void onBytes(byte[] b, int off, int len, long ts) {
      out.append(new String(b, off, len, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void onGap(long missing, long ts) {
      out.append("<gap ").append(missing).append('>');
    }

    @Override
    public void onHole(long missing, long ts) {
      out.append("<hole ").append(missing).append('>');
    }
  }

  private void send(TcpStream s, Recorder r, long seqOffset, String data) {
    byte[] b = data.getBytes(StandardCharsets.ISO_8859_1);
    s.onSegment(ISN + 1 + seqOffset, b, 0, b.length, b.length, false, 0, r, budget, problems);
  }

  /** A segment of {@code wire} bytes of which only {@code captured} were captured. */
  private void sendCut(TcpStream s, Recorder r, long seqOffset, String captured, int wire) {
    byte[] b = captured.getBytes(StandardCharsets.ISO_8859_1);
    s.onSegment(ISN + 1 + seqOffset, b, 0, b.length, wire, false, 0, r, budget, problems);
  }

  @Test
  void aCutSegmentIsAHoleOfKnownLengthNotAGap() {
    TcpStream s = started();
    Recorder r = new Recorder();
    sendCut(s, r, 0, "abc", 10);
    send(s, r, 10, "klm");
    // Out of order: the cut segment arrives after the one behind it, and a retransmission overlaps both.
    sendCut(s, r, 23, "xy", 7);
    sendCut(s, r, 13, "nop", 10);
    sendCut(s, r, 20, "uvwxy", 8);
    assertEquals("abc<hole 7>klmnop<hole 7>xy<hole 5>", r.out.toString());
    assertEquals(0, problems.total(), "no gap, no overflow");
    assertEquals(0, s.heldBytes());
  }

  @Test
  void heldBytesInsideALaterCutSegmentsHoleAreDeliveredNotSkipped() {
    TcpStream s = started();
    Recorder r = new Recorder();
    send(s, r, 5, "fgh");
    // A retransmission covering both, cut after 3 bytes: the held bytes were captured, the rest was not.
    sendCut(s, r, 0, "abc", 10);
    assertEquals("abc<hole 2>fgh<hole 2>", r.out.toString());
    send(s, r, 10, "k");
    assertEquals("abc<hole 2>fgh<hole 2>k", r.out.toString());
    assertEquals(0, s.heldBytes());
  }

  private TcpStream started() {
    TcpStream s = new TcpStream();
    s.onSyn(ISN);
    return s;
  }

  @Test
  void outOfOrderSegmentsAreDeliveredInOrder() {
    TcpStream s = started();
    Recorder r = new Recorder();
    send(s, r, 10, "klmno");
    send(s, r, 5, "fghij");
    send(s, r, 0, "abcde");
    assertEquals("abcdefghijklmno", r.out.toString());
    assertEquals(0, s.heldBytes());
    assertEquals(0, budget.used());
  }

  @Test
  void overlappingRetransmissionsDeliverEachByteOnce() {
    TcpStream s = started();
    Recorder r = new Recorder();
    send(s, r, 0, "abcd");
    send(s, r, 0, "abcd"); // exact retransmission
    send(s, r, 2, "cdefgh"); // overlaps the delivered bytes
    send(s, r, 10, "klm"); // held
    send(s, r, 6, "ghijklmnop"); // covers the hole and the held segment, and more
    send(s, r, 9, "jk");
    assertEquals("abcdefghijklmnop", r.out.toString());
    assertEquals(0, budget.used());
  }

  @Test
  void aMissingSegmentBecomesAGapWhenThePeerAcknowledgesPastIt() {
    TcpStream s = started();
    Recorder r = new Recorder();
    send(s, r, 0, "abc");
    send(s, r, 6, "ghi"); // "def" never captured
    assertEquals("abc", r.out.toString());
    s.onPeerAck(ISN + 1 + 9, 0, r, budget, problems);
    assertEquals("abc<gap 3>ghi", r.out.toString());
    assertEquals(1, problems.get(L7Problem.TCP_GAP));
  }

  @Test
  void heldSegmentsAreFlushedWithGapsAtTheEnd() {
    TcpStream s = started();
    Recorder r = new Recorder();
    send(s, r, 4, "ef");
    send(s, r, 10, "kl");
    s.flush(0, r, budget, problems);
    assertEquals("<gap 4>ef<gap 4>kl", r.out.toString());
    assertEquals(0, budget.used());
  }

  @Test
  void outOfOrderBufferIsBounded() {
    TcpStream s = started();
    Recorder r = new Recorder();
    for (int i = 0; i < 3 * TcpStream.MAX_SEGMENTS; i++) {
      send(s, r, 1 + 2L * i, "x"); // every other byte missing: nothing is ever in order
    }
    assertEquals(true, s.heldBytes() <= TcpStream.MAX_SEGMENTS);
    assertEquals(true, problems.get(L7Problem.TCP_OUT_OF_ORDER_OVERFLOW) > 0);
    s.flush(0, r, budget, problems);
    assertEquals(0, budget.used());
  }

  @Test
  void dnsMessageSplitAcrossManySegmentsAndManyMessagesInOneSegment() {
    List<DnsMessage> seen = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    DnsParser parser = new DnsParser();
    L7Summary summary = new L7Summary();
    DnsOverTcp dns = new DnsOverTcp((b, off, len, wire, client, ns) -> {
      DnsMessage m = new DnsMessage();
      if (parser.parse(b, off, len, m) == null) {
        seen.add(m);
        times.add(ns);
      } else {
        summary.problems.add(L7Problem.DNS_BAD_NAME);
      }
    }, budget, summary);
    TcpStream s = started();
    StreamConsumer c = dns.consumer(true);

    byte[] big = framed(query(1, "a-rather-long-label.example.org"));
    byte[] three = concat(framed(query(2, "two.example")), framed(query(3, "three.example")), framed(query(4, "four.example")));
    byte[] all = concat(big, three);
    // The first message in 3-byte segments, delivered in reverse order; then three messages in one segment.
    int pieces = (big.length + 2) / 3;
    for (int k = pieces - 1; k >= 0; k--) {
      int i = 3 * k;
      s.onSegment(ISN + 1 + i, big, i, Math.min(3, big.length - i), Math.min(3, big.length - i), false, 1000 + i, c, budget, problems);
    }
    s.onSegment(ISN + 1 + big.length, all, big.length, three.length, three.length, false, 5000, c, budget, problems);

    assertEquals(List.of(1, 2, 3, 4), seen.stream().map(m -> m.id).toList());
    assertEquals("a-rather-long-label.example.org", seen.get(0).qname);
    assertEquals(1000L, times.get(0), "a message's time is its first byte's");
    assertEquals(List.of(5000L, 5000L, 5000L), times.subList(1, 4));
    dns.onClose(0);
    assertEquals(0, budget.used());
  }

  @Test
  void aCompressionLoopIsCountedAndTheStreamGoesOn() {
    L7Summary summary = new L7Summary();
    CollectingSink sink = new CollectingSink();
    L7Engine engine = new L7Engine(L7Config.defaults(), sink);
    DnsParser parser = new DnsParser();
    DnsMessage m = new DnsMessage();
    byte[] loop = query(7, "x");
    // Replace the question name with a pointer to itself.
    byte[] looped = java.util.Arrays.copyOf(loop, 12 + 2 + 4);
    looped[12] = (byte) 0xC0;
    looped[13] = 12;
    assertEquals(L7Problem.DNS_COMPRESSION_LOOP, parser.parse(looped, 0, looped.length, m));
    // Through the engine, on one TCP connection: loop, then a good query.
    byte[] payload = concat(framed(looped), framed(query(8, "ok.example")));
    engine.onFrame(1, 101, Packets.tcp4(40000, 53, 1000, payload), Packets.tcp4(40000, 53, 1000, payload).length);
    engine.finish();
    assertEquals(1, engine.summary().problems.get(L7Problem.DNS_COMPRESSION_LOOP));
    assertEquals(1, engine.summary().dnsQueries);
    assertEquals(8, sink.dns.get(0).id());
    assertEquals(RowStatus.TIMEOUT, sink.dns.get(0).status());
  }

  static byte[] query(int id, String name) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(id >>> 8);
    b.write(id);
    b.writeBytes(new byte[] {1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      b.write(label.length());
      b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    b.writeBytes(new byte[] {0, 0, 1, 0, 1});
    return b.toByteArray();
  }

  static byte[] framed(byte[] msg) {
    return concat(new byte[] {(byte) (msg.length >>> 8), (byte) msg.length}, msg);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b.toByteArray();
  }
}
