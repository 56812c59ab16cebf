package io.sluice.net;

import io.sluice.wire.FlowProtocol;

/**
 * Which flow protocol a datagram is, from its version field: the one table of version numbers. The collector
 * ({@code FlowSniff}, per {@code ListenerKind}) forwards what it finds as {@code FlowDatagram.protocol_hint}; the
 * decoder's {@code FlowType} (the {@code flow_type} column) names the {@link FlowProtocol} it decodes and is found
 * from the same call.
 */
public final class FlowProtocols {
  private FlowProtocols() {}

  /**
   * What the first bytes claim to be, or null when none: NetFlow/IPFIX by a 16-bit version 5, 9 or 10; sFlow by a
   * 32-bit version 5 (4 bytes needed); NetFlow v1 and v7 as {@link FlowProtocol#FLOW_PROTOCOL_UNKNOWN}, which the
   * collector forwards and the decoder counts as unsupported.
   */
  public static FlowProtocol claimed(byte[] d, int off, int len) {
    if (len < 2) {
      return null;
    }
    return switch (((d[off] & 0xff) << 8) | (d[off + 1] & 0xff)) {
      case 0 -> len >= 4 && d[off + 2] == 0 && d[off + 3] == 5 ? FlowProtocol.SFLOW_V5 : null;
      case 5 -> FlowProtocol.NETFLOW_V5;
      case 9 -> FlowProtocol.NETFLOW_V9;
      case 10 -> FlowProtocol.IPFIX;
      case 1, 7 -> FlowProtocol.FLOW_PROTOCOL_UNKNOWN;
      default -> null;
    };
  }
}
