package io.sluice.conn;

/**
 * What the tracker holds of one lifetime while it lasts (a Flink POJO, the keyed state of a socket): who, where,
 * the states so far, the socket's counters now and at the start of the current slice, and the slice's RTT samples.
 */
public final class OpenConnection {
  public String node;
  public long netns;
  public int protocol;
  public byte[] localAddr;
  public int localPort;
  public byte[] remoteAddr;
  public int remotePort;
  public String direction;
  public long openNs;
  public long lastEventNs;
  public int lastState;
  /** The TCP states reached, in order, each once. */
  public byte[] states = new byte[0];

  public int pid;
  public String comm = "";
  public long cgroupId;
  public String container = "";
  public String pod = "";
  public String podNamespace = "";

  public int seq;
  public long sliceStartNs;
  public int rttSamples;
  public long rttSumUs;
  public int rttMinUs;
  public int rttMaxUs;

  /** Counters now (TCP: the socket's totals at its latest event; UDP: the sum of what its events reported). */
  public long bytesOut;
  public long bytesIn;
  public long segsOut;
  public long segsIn;
  public long retransSegs;
  /** The counters when the current slice began. */
  public long sliceBytesOut;
  public long sliceBytesIn;
  public long sliceSegsOut;
  public long sliceSegsIn;
  public long sliceRetransSegs;

  public OpenConnection() {}
}
