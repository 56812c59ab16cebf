package io.sluice.ingest.collect;

import io.sluice.wire.FlowSource;

/**
 * Whether an sFlow datagram's agent address may be believed. The UDP source must be registered: as the agent's own
 * registration, as a relay (which may speak for any registered agent), or as an exporter whose datagrams name an
 * unregistered agent address (a router sending from an interface other than its agent address). A registered agent
 * address arriving from anywhere else is a spoof.
 */
final class SflowTrust {
  private SflowTrust() {}

  /** agent: the registration matching the agent address; sender: the one matching the UDP source (null: none). */
  static boolean spoofed(FlowSource agent, FlowSource sender) {
    if (agent == null || sender == null) {
      return agent != null; // a registered agent from an unregistered sender; neither registered is "unregistered"
    }
    return !sender.getRelay() && !samePrefix(agent, sender);
  }

  private static boolean samePrefix(FlowSource a, FlowSource b) {
    return a.getPrefixLen() == b.getPrefixLen() && a.getPrefixAddr().equals(b.getPrefixAddr());
  }
}
