package io.sluice.jobs.l7;

/** A {@code CapturedPacket} from Kafka as a Flink POJO: what the L7 job needs of it. */
public final class CapturedFrame {
  public long capturedNs;
  public String node;
  public int linkType;
  public byte[] data;

  public CapturedFrame() {}
}
