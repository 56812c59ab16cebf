package io.sluice.cli.demo.exporter;

/**
 * One generated flow as an exporter reports it: the sampled counts (what the exporter saw after sampling), the
 * interfaces and VRFs it crossed, and its start and end in milliseconds since the epoch. Addresses are 4 or 16
 * bytes; for ICMP the source port is the type and the destination port the code.
 */
public record DemoFlow(
    byte[] srcAddr, byte[] dstAddr, int srcPort, int dstPort, int protocol, int tcpFlags, int tos,
    long bytes, long packets, long startMs, long endMs,
    int inIf, int outIf, long srcAs, long dstAs, int srcMask, int dstMask, byte[] nextHop,
    int inVrf, int outVrf) {

  public boolean ipv6() {
    return srcAddr.length == 16;
  }

  /** The average packet size, at least a bare header. */
  public int packetSize() {
    return (int) Math.max(ipv6() ? 48 : 28, Math.min(9000, bytes / Math.max(1, packets)));
  }
}
