package io.sluice.ingest.pcap;

/** The pcap LINKTYPE numbers Sluice decodes (https://www.tcpdump.org/linktypes.html). */
public final class LinkTypes {
  /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
  public static final int NULL = 0;
  public static final int ETHERNET = 1;
  /** Raw IP; version taken from the first nibble. */
  public static final int RAW = 101;
  /** Linux cooked capture v1 (16-byte header). */
  public static final int LINUX_SLL = 113;
  /** OpenBSD loopback: a 4-byte address family in network byte order. */
  public static final int LOOP = 108;
  public static final int IPV4 = 228;
  public static final int IPV6 = 229;
  /** Linux cooked capture v2 (20-byte header). */
  public static final int LINUX_SLL2 = 276;

  private LinkTypes() {}
}
