package io.sluice.ingest.collect;

import io.sluice.net.FlowProtocols;
import io.sluice.wire.FlowProtocol;

/**
 * Pure functions on the first bytes of a flow datagram: the protocol it claims to be, and for sFlow the agent
 * address inside it. The decoders still check everything else.
 */
public final class FlowSniff {
  private FlowSniff() {}

  /**
   * What a datagram on a listener claims to be ({@link FlowProtocols#claimed}), or null when it is none of the
   * versions that listener takes: the sFlow listener takes sFlow v5 only, the NetFlow and IPFIX listeners take
   * NetFlow v5, v9 and IPFIX, and v1 and v7 as FLOW_PROTOCOL_UNKNOWN (the decoder decides).
   */
  public static FlowProtocol protocol(ListenerKind listener, byte[] d, int len) {
    FlowProtocol claimed = FlowProtocols.claimed(d, 0, len);
    boolean sflow = claimed == FlowProtocol.SFLOW_V5;
    return sflow == (listener == ListenerKind.SFLOW) ? claimed : null;
  }

  /**
   * The agent address of an sFlow v5 datagram as 16 bytes (IPv4 mapped), or null when the datagram is not sFlow v5
   * or too short to hold it. Layout: version (4 bytes, = 5), address type (4 bytes: 1 IPv4, 2 IPv6), address.
   */
  public static byte[] sflowAgent(byte[] d, int len) {
    if (len < 8 || int32(d, 0) != 5) {
      return null;
    }
    int type = int32(d, 4);
    byte[] out = new byte[16];
    if (type == 1 && len >= 12) {
      out[10] = (byte) 0xff;
      out[11] = (byte) 0xff;
      System.arraycopy(d, 8, out, 12, 4);
      return out;
    }
    if (type == 2 && len >= 24) {
      System.arraycopy(d, 8, out, 0, 16);
      return out;
    }
    return null;
  }

  static int int32(byte[] d, int off) {
    return ((d[off] & 0xff) << 24) | ((d[off + 1] & 0xff) << 16) | ((d[off + 2] & 0xff) << 8) | (d[off + 3] & 0xff);
  }
}
