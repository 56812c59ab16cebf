package io.sluice.decode.l7.capture;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.pcap.CaptureFrame;
import io.sluice.ingest.pcap.CaptureReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Test helper: the TCP connections of a capture, each direction's bytes in order, for the pure parsers' capture
 * tests before (and independently of) the L7 engine. Meant for loopback captures made by the tests: a new
 * connection starts at its SYN, retransmitted bytes are dropped, segments the capture holds out of order are put
 * back in order (within a window of 64), and missing bytes become a hole. With a snap
 * it cuts each segment's payload as the eBPF loader does (the first {@code snap} payload bytes kept, the rest a
 * hole of known length), or keeps segments whole when snap is negative.
 */
public final class TcpReplay {
  /** What a connection's bytes are fed to. */
  public interface Consumer {
    void bytes(boolean fromClient, byte[] b, int off, int len, long ts);

    void gap(boolean fromClient, long missing, long ts);

    void close(long ts);
  }

  /** A consumer that hands a connection's bytes, holes and end to a parser. */
  public static Consumer feeding(io.sluice.decode.l7.ConnectionParser parser) {
    return new Consumer() {
      @Override
      public void bytes(boolean fromClient, byte[] b, int off, int len, long ts) {
        parser.onBytes(fromClient, b, off, len, ts);
      }

      @Override
      public void gap(boolean fromClient, long missing, long ts) {
        parser.onGap(fromClient, missing, ts);
      }

      @Override
      public void close(long ts) {
        parser.close(ts);
      }
    };
  }

  /** Bytes of payload seen and kept, for the cost of a snap. */
  public long payloadBytes;
  public long keptBytes;

  /** One segment's payload as kept (after the snap), with its length on the wire. */
  private record Segment(long seq, int declared, byte[] kept, long ts) {}

  /** Segments ahead of the next expected byte wait here, so that a capture's reordering is not a hole. */
  private static final int REORDER_WINDOW = 64;

  private static final class Conn {
    final Consumer consumer;
    final String clientKey;
    long clientNext = -1;
    long serverNext = -1;
    long clientBase;
    long serverBase;
    long lastTs;
    final java.util.TreeMap<Long, Segment> clientAhead = new java.util.TreeMap<>();
    final java.util.TreeMap<Long, Segment> serverAhead = new java.util.TreeMap<>();

    Conn(Consumer consumer, String clientKey) {
      this.consumer = consumer;
      this.clientKey = clientKey;
    }

    long next(boolean fromClient) {
      return fromClient ? clientNext : serverNext;
    }

    void offer(boolean fromClient, Segment s, TcpReplay costs) {
      java.util.TreeMap<Long, Segment> ahead = fromClient ? clientAhead : serverAhead;
      long distance = (s.seq - next(fromClient)) & 0xffffffffL;
      if (distance != 0 && distance < (1L << 31)) {
        ahead.put((s.seq - (fromClient ? clientBase : serverBase)) & 0xffffffffL, s); // ordered from the SYN
        if (ahead.size() > REORDER_WINDOW) {
          deliver(fromClient, ahead.pollFirstEntry().getValue(), costs);
          drain(fromClient, costs);
        }
        return;
      }
      deliver(fromClient, s, costs);
      drain(fromClient, costs);
    }

    private void drain(boolean fromClient, TcpReplay costs) {
      java.util.TreeMap<Long, Segment> ahead = fromClient ? clientAhead : serverAhead;
      while (!ahead.isEmpty()) {
        Segment first = ahead.firstEntry().getValue();
        long distance = (first.seq - next(fromClient)) & 0xffffffffL;
        if (distance != 0 && distance < (1L << 31)) {
          return;
        }
        ahead.pollFirstEntry();
        deliver(fromClient, first, costs);
      }
    }

    /** What is still waiting at the end: delivered in order, each space before it a hole. */
    void flush(boolean fromClient, TcpReplay costs) {
      java.util.TreeMap<Long, Segment> ahead = fromClient ? clientAhead : serverAhead;
      while (!ahead.isEmpty()) {
        deliver(fromClient, ahead.pollFirstEntry().getValue(), costs);
      }
    }

    private void deliver(boolean fromClient, Segment s, TcpReplay costs) {
      long next = next(fromClient);
      long skip = (next - s.seq) & 0xffffffffL;
      if (skip >= s.declared && skip < (1L << 31)) {
        return; // all retransmitted
      }
      if (skip >= (1L << 31)) { // a hole before this segment
        consumer.gap(fromClient, (s.seq - next) & 0xffffffffL, s.ts);
        skip = 0;
      }
      int keep = s.kept.length;
      costs.payloadBytes += s.declared - skip;
      if (skip < keep) {
        consumer.bytes(fromClient, s.kept, (int) skip, keep - (int) skip, s.ts);
        costs.keptBytes += keep - skip;
      }
      long hole = s.declared - Math.max(skip, keep);
      if (hole > 0) {
        consumer.gap(fromClient, hole, s.ts);
      }
      long newNext = (s.seq + s.declared) & 0xffffffffL;
      if (fromClient) {
        clientNext = newNext;
      } else {
        serverNext = newNext;
      }
    }
  }

  public void run(Path capture, int snap, Function<String, Consumer> newConnection) throws IOException {
    Map<String, Conn> conns = new HashMap<>();
    PacketHeader h = new PacketHeader();
    try (CaptureReader reader = CaptureReader.open(capture)) {
      for (CaptureFrame f = reader.readNext(); f != null; f = reader.readNext()) {
        if (!PacketParser.parse(f.linkType(), f.data(), 0, f.capturedLength(), h) || h.protocol != 6) {
          continue;
        }
        String src = endpoint(h.srcAddr, h.srcPort);
        String dst = endpoint(h.dstAddr, h.dstPort);
        String key = src.compareTo(dst) < 0 ? src + "|" + dst : dst + "|" + src;
        boolean syn = (h.tcpFlags & 0x02) != 0;
        boolean ack = (h.tcpFlags & 0x10) != 0;
        Conn c = conns.get(key);
        if (syn && !ack) {
          if (c != null) {
            c.flush(true, this);
            c.flush(false, this);
            c.consumer.close(f.timestampNs());
          }
          c = new Conn(newConnection.apply(src + " > " + dst), src);
          c.clientNext = (h.tcpSeq + 1) & 0xffffffffL;
          c.clientBase = c.clientNext;
          conns.put(key, c);
          continue;
        }
        if (c == null) {
          continue; // started before the capture: these tests always capture from the SYN
        }
        boolean fromClient = src.equals(c.clientKey);
        if (syn) {
          c.serverNext = (h.tcpSeq + 1) & 0xffffffffL;
          c.serverBase = c.serverNext;
          continue;
        }
        int declared = h.ipOffset + h.ipTotalLength - h.payloadOffset;
        int captured = Math.min(h.payloadLength, declared);
        if (declared > 0) {
          int keep = snap < 0 ? captured : Math.min(captured, snap);
          byte[] kept = java.util.Arrays.copyOfRange(f.data(), h.payloadOffset, h.payloadOffset + keep);
          c.offer(fromClient, new Segment(h.tcpSeq, declared, kept, f.timestampNs()), this);
        }
        c.lastTs = f.timestampNs();
      }
    }
    for (Conn c : conns.values()) {
      c.flush(true, this);
      c.flush(false, this);
      c.consumer.close(c.lastTs);
    }
  }

  private static String endpoint(byte[] addr16, int port) {
    StringBuilder s = new StringBuilder();
    for (byte b : addr16) {
      s.append(String.format("%02x", b));
    }
    return s.append(':').append(port).toString();
  }
}
