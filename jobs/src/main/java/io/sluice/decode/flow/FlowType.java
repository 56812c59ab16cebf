package io.sluice.decode.flow;

/** The protocol a flow came in; {@link #column()} is the ClickHouse {@code flow_type} value. */
public enum FlowType {
  SFLOW5("sflow5"),
  NETFLOW5("netflow5"),
  NETFLOW9("netflow9"),
  IPFIX("ipfix");

  private final String column;

  FlowType(String column) {
    this.column = column;
  }

  public String column() {
    return column;
  }
}
