package io.sluice.ingest.collect;

import io.sluice.wire.FlowProtocol;

/**
 * Pure functions on the first bytes of a flow datagram: the protocol it claims to be, and for sFlow the agent
 * address inside it. The decoders still check everything else.
 */
public final class FlowSniff {
  private FlowSniff() {}

  /**
   * What a datagram on a listener claims to be, or null when it is none of the versions that listener takes.
   * sFlow: a 32-bit version 5. NetFlow/IPFIX: a 16-bit version 5, 9 or 10; v1 and v7 are forwarded as
   * FLOW_PROTOCOL_UNKNOWN (the decoder decides).
   */
  public static FlowProtocol protocol(ListenerKind listener, byte[] d, int len) {
    if (listener == ListenerKind.SFLOW) {
      return len >= 4 && int32(d, 0) == 5 ? FlowProtocol.SFLOW_V5 : null;
    }
    if (len < 2) {
      return null;
    }
    return switch (((d[0] & 0xff) << 8) | (d[1] & 0xff)) {
      case 5 -> FlowProtocol.NETFLOW_V5;
      case 9 -> FlowProtocol.NETFLOW_V9;
      case 10 -> FlowProtocol.IPFIX;
      case 1, 7 -> FlowProtocol.FLOW_PROTOCOL_UNKNOWN;
      default -> null;
    };
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
