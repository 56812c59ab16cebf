package io.sluice.decode.flow;

import io.sluice.decode.packet.PacketHeader;
import io.sluice.decode.packet.PacketParser;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes the flow datagrams found in captured frames (any UDP port; the protocol is recognised by
 * content), keeping one {@link ExporterState} per exporter address. Used by {@code sluice decode}
 * and the fixture tests; the caller reads the capture file and feeds frames in order.
 */
public final class CaptureFlowDecoder {
  private final FlowDecoder decoder = new FlowDecoder();
  private final PacketHeader packet = new PacketHeader();
  private final Map<ByteBuffer, ExporterState> exporters = new LinkedHashMap<>();
  private final DecodeCounters counters = new DecodeCounters();
  private final long defaultRate;
  private long framesWithoutUdp;
  private long fragments;

  /** @param defaultRate the configured default sampling rate of every exporter (0: none) */
  public CaptureFlowDecoder(long defaultRate) {
    this.defaultRate = defaultRate;
  }

  /** Decodes one frame: returns the flow protocol, or null if the frame held no flow datagram. */
  public FlowType frame(long timestampNs, int linkType, byte[] data, FlowSink sink) {
    if (!PacketParser.parse(linkType, data, 0, data.length, packet) || packet.protocol != PacketParser.PROTO_UDP) {
      framesWithoutUdp++;
      return null;
    }
    if (packet.isFragment()) {
      fragments++;
      return null;
    }
    if (packet.l4Offset < 0) {
      framesWithoutUdp++;
      return null;
    }
    ExporterState state = exporters.computeIfAbsent(ByteBuffer.wrap(packet.srcAddr.clone()),
        k -> new ExporterState().configuredDefaultRate(defaultRate));
    byte[] exporter = packet.srcAddr.clone();
    return decoder.decode(data, packet.payloadOffset, packet.payloadLength, exporter, timestampNs, state, sink, counters);
  }

  /** Ends the capture: data still waiting for templates is counted as dropped. */
  public void finish() {
    for (ExporterState s : exporters.values()) decoder.finish(s, counters);
  }

  public DecodeCounters counters() {
    return counters;
  }

  /** Exporter states by 16-byte address. */
  public Map<ByteBuffer, ExporterState> exporters() {
    return exporters;
  }

  /** Frames that carried no UDP datagram (or one cut before its UDP header). */
  public long framesWithoutUdp() {
    return framesWithoutUdp;
  }

  /** IP fragments, which are not reassembled. */
  public long fragments() {
    return fragments;
  }
}
