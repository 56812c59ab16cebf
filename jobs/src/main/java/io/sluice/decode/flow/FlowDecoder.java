package io.sluice.decode.flow;

import static io.sluice.decode.packet.BigEndian.u16;

import io.sluice.decode.flow.ipfix.IpfixDecoder;
import io.sluice.decode.flow.ipfix.TemplateFlowDecoder;
import io.sluice.decode.flow.netflow.NetflowV5Decoder;
import io.sluice.decode.flow.netflow.NetflowV9Decoder;
import io.sluice.decode.flow.sflow.SflowDecoder;
import io.sluice.net.FlowProtocols;

/**
 * Decodes one flow datagram (the UDP payload) of any supported protocol, recognised by content:
 * NetFlow v5, NetFlow v9, IPFIX or sFlow v5.
 *
 * <pre>{@code
 * FlowDecoder decoder = new FlowDecoder();            // one per thread; reuses its buffers
 * ExporterState state = ...;                          // one per exporter, kept between datagrams
 * decoder.decode(payload, 0, payload.length, exporterAddr16, receivedNs, state, sink, counters);
 * }</pre>
 *
 * Pure: no I/O, no clocks, no logging. Malformed input never throws; it is counted in {@link
 * DecodeCounters} by {@link DecodeProblem}. Records are passed to the {@link FlowSink} as they are
 * decoded, in a reused {@link FlowRecord}, once {@link RecordGate} has dropped the empty ones and
 * replaced exporter times that cannot be right by the receive time.
 */
public final class FlowDecoder {
  private final DecodeContext ctx = new DecodeContext();
  private final TemplateFlowDecoder templateFlows = new TemplateFlowDecoder();
  private final NetflowV9Decoder netflowV9 = new NetflowV9Decoder(templateFlows);
  private final IpfixDecoder ipfix = new IpfixDecoder(templateFlows);
  private final SflowDecoder sflow = new SflowDecoder();
  private final RecordGate gate = new RecordGate();

  /** The protocol of a datagram by its first bytes, or null if it is none of the supported ones. */
  public static FlowType recognise(byte[] b, int off, int len) {
    if (b == null || off < 0 || len < 4 || off > b.length - len) return null;
    return FlowType.of(FlowProtocols.claimed(b, off, len));
  }

  /**
   * Decodes a datagram. {@code exporterAddr} is 16 bytes (IPv4 mapped). Returns the protocol, or
   * null when the bytes are not a supported flow datagram (then counted as a problem).
   */
  public FlowType decode(byte[] b, int off, int len, byte[] exporterAddr, long receivedNs,
      ExporterState state, FlowSink sink, DecodeCounters counters) {
    return decode(b, off, len, exporterAddr, receivedNs, state, sink, counters, null);
  }

  /**
   * Like {@link #decode(byte[], int, int, byte[], long, ExporterState, FlowSink, DecodeCounters)}
   * for a listener that expects one protocol (e.g. the sFlow port): a datagram of another protocol
   * is counted as {@link DecodeProblem#UNEXPECTED_PROTOCOL} and not decoded. Null expects any.
   */
  public FlowType decode(byte[] b, int off, int len, byte[] exporterAddr, long receivedNs,
      ExporterState state, FlowSink sink, DecodeCounters counters, FlowType expected) {
    FlowType type = recognise(b, off, len);
    if (type != null && expected != null && type != expected) {
      counters.problem(DecodeProblem.UNEXPECTED_PROTOCOL);
      return null;
    }
    if (type == null) {
      boolean oldNetflow = b != null && len >= 2 && off >= 0 && off <= b.length - len && isOldNetflow(u16(b, off));
      counters.problem(oldNetflow ? DecodeProblem.UNSUPPORTED_VERSION : DecodeProblem.NOT_A_FLOW_DATAGRAM);
      return null;
    }
    DecodeContext c = ctx;
    c.exporterAddr = exporterAddr;
    c.receivedNs = receivedNs;
    c.state = state;
    c.sink = gate.around(sink, counters, receivedNs);
    c.counters = counters;
    counters.datagram(type);
    switch (type) {
      case NETFLOW5: NetflowV5Decoder.decode(b, off, len, c); break;
      case NETFLOW9: netflowV9.decode(b, off, len, c); break;
      case IPFIX: ipfix.decode(b, off, len, c); break;
      case SFLOW5: sflow.decode(b, off, len, c); break;
      default: break;
    }
    c.sink = null;
    c.state = null;
    return type;
  }

  /**
   * Ends an exporter's stream (e.g. the end of a capture file): data sets still waiting for a
   * template are counted as dropped.
   */
  public void finish(ExporterState state, DecodeCounters counters) {
    DecodeContext c = ctx;
    c.state = state;
    c.counters = counters;
    TemplateFlowDecoder.dropPending(c);
    c.state = null;
  }

  private static boolean isOldNetflow(int version) {
    return version == 1 || version == 6 || version == 7 || version == 8;
  }
}
