package io.sluice.decode.flow;

import io.sluice.wire.FlowProtocol;

/**
 * The protocol a flow came in; {@link #column()} is the ClickHouse {@code flow_type} value, {@link #wire()} the
 * {@link FlowProtocol} the collector names it by ({@code io.sluice.net.FlowProtocols} tells it from the bytes).
 */
public enum FlowType {
  SFLOW5("sflow5", FlowProtocol.SFLOW_V5),
  NETFLOW5("netflow5", FlowProtocol.NETFLOW_V5),
  NETFLOW9("netflow9", FlowProtocol.NETFLOW_V9),
  IPFIX("ipfix", FlowProtocol.IPFIX);

  private final String column;
  private final FlowProtocol wire;

  FlowType(String column, FlowProtocol wire) {
    this.column = column;
    this.wire = wire;
  }

  public String column() {
    return column;
  }

  public FlowProtocol wire() {
    return wire;
  }

  /** The type decoded for a wire protocol; null for FLOW_PROTOCOL_UNKNOWN (NetFlow v1, v7), null and unrecognised. */
  public static FlowType of(FlowProtocol protocol) {
    for (FlowType t : values()) {
      if (t.wire == protocol) {
        return t;
      }
    }
    return null;
  }
}
