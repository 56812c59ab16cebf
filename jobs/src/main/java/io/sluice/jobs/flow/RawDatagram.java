package io.sluice.jobs.flow;

/**
 * A flow datagram inside the Flink job: the {@code FlowDatagram} envelope as a Flink POJO, so it crosses the
 * keyBy with Flink's own serializer rather than Kryo.
 */
public final class RawDatagram {
  public byte[] exporterAddr;
  public int exporterPort;
  public long receivedNs;
  public String collectorId;
  public byte[] payload;
  /** 16 bytes, or empty when the collector did not say. */
  public byte[] udpSourceAddr;
  /** The version of the registration the collector accepted the datagram under; 0: none. */
  public long sourceUpdatedNs;

  public RawDatagram() {}

  /** The key: one exporter's datagrams stay in order in one subtask. */
  public static String key(RawDatagram d) {
    return java.util.HexFormat.of().formatHex(d.exporterAddr);
  }
}
