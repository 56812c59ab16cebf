package io.sluice.jobs.flow;

/** One record of the sluice.sources topic: a FlowSource by canonical prefix, or a removal (value null). */
public final class SourceUpdate {
  public String key;
  public byte[] value;

  public SourceUpdate() {}

  public SourceUpdate(String key, byte[] value) {
    this.key = key;
    this.value = value;
  }
}
