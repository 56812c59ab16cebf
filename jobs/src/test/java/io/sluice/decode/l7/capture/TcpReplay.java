package io.sluice.decode.l7.capture;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import io.sluice.ingest.capture.CaptureFrame;
import io.sluice.ingest.capture.CaptureReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Test helper: the TCP connections of a capture, each direction's bytes in order, for the pure parsers' capture
 * tests before (and independently of) the L7 engine. Meant for loopback captures made by the tests: a new
 * connection starts at its SYN, retransmitted bytes are dropped, and missing bytes become a hole. With a snap
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

  /** Bytes of payload seen and kept, for the cost of a snap. */
  public long payloadBytes;
  public long keptBytes;

  private static final class Conn {
    final Consumer consumer;
    final String clientKey;
    long clientNext = -1;
    long serverNext = -1;
    long lastTs;

    Conn(Consumer consumer, String clientKey) {
      this.consumer = consumer;
      this.clientKey = clientKey;
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
            c.consumer.close(f.timestampNs());
          }
          c = new Conn(newConnection.apply(src + " > " + dst), src);
          c.clientNext = (h.tcpSeq + 1) & 0xffffffffL;
          conns.put(key, c);
          continue;
        }
        if (c == null) {
          continue; // started before the capture: these tests always capture from the SYN
        }
        boolean fromClient = src.equals(c.clientKey);
        if (syn) {
          c.serverNext = (h.tcpSeq + 1) & 0xffffffffL;
          continue;
        }
        int declared = h.ipOffset + h.ipTotalLength - h.payloadOffset;
        int captured = Math.min(h.payloadLength, declared);
        if (declared > 0) {
          long next = fromClient ? c.clientNext : c.serverNext;
          long seq = h.tcpSeq;
          long skip = (next - seq) & 0xffffffffL;
          if (skip >= declared && skip < (1L << 31)) {
            continue; // all retransmitted
          }
          if (skip >= (1L << 31)) { // a hole before this segment
            c.consumer.gap(fromClient, (seq - next) & 0xffffffffL, f.timestampNs());
            skip = 0;
          }
          int keep = snap < 0 ? captured : Math.min(captured, snap);
          payloadBytes += declared - skip;
          if (skip < keep) {
            c.consumer.bytes(fromClient, f.data(), h.payloadOffset + (int) skip, keep - (int) skip, f.timestampNs());
            keptBytes += keep - skip;
          }
          long hole = declared - Math.max(skip, keep);
          if (hole > 0) {
            c.consumer.gap(fromClient, hole, f.timestampNs());
          }
          long newNext = (seq + declared) & 0xffffffffL;
          if (fromClient) {
            c.clientNext = newNext;
          } else {
            c.serverNext = newNext;
          }
        }
        c.lastTs = f.timestampNs();
      }
    }
    for (Conn c : conns.values()) {
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
