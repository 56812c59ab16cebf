package io.sluice.decode.flow;

/** What an output interface value means (sFlow output formats); {@link #column()} is {@code out_if_kind}. */
public enum OutIfKind {
  IFINDEX("ifindex"),
  /** The packet was dropped (forwardingStatus is set to 128, dropped with an unknown reason). */
  DISCARDED("discarded"),
  /** Sent to several interfaces (broadcast/multicast). */
  MULTIPLE("multiple"),
  /** Delivered to the device itself (sFlow 0x3FFFFFFF). */
  LOCAL("local");

  private final String column;

  OutIfKind(String column) {
    this.column = column;
  }

  public String column() {
    return column;
  }
}
