package io.sluice.jobs.l7;

/**
 * A {@code CapturedPacket} from Kafka as a Flink POJO: what the L7 job needs of it. The frame is
 * {@code data[offset, offset + length)}: {@link PacketRecords} leaves it in the Kafka record's bytes, not copied, since
 * triage reads it in place and the shuffle's serializer copies it anyway.
 */
public final class CapturedFrame {
  public long capturedNs;
  public String node;
  public int linkType;
  public byte[] data;
  public int offset;
  public int length;

  public CapturedFrame() {}
}
