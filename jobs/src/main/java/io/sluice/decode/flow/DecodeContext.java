package io.sluice.decode.flow;

import io.sluice.decode.packet.BigEndian;
import io.sluice.decode.packet.PacketHeader;

/**
 * What one decode call works with: its inputs, its outputs and the reusable holders. Owned by a
 * {@link FlowDecoder}; the per-protocol decoders read and fill it.
 */
public final class DecodeContext {
  public final FlowRecord record = new FlowRecord();
  public final InterfaceCounters interfaceCounters = new InterfaceCounters();
  public final PacketHeader packet = new PacketHeader();

  public byte[] exporterAddr;
  public long receivedNs;
  public ExporterState state;
  public FlowSink sink;
  public DecodeCounters counters;

  /** Starts a record with the fields every record of this datagram shares. */
  public FlowRecord newRecord(FlowType type, long domain, long sequence) {
    FlowRecord r = record;
    r.reset();
    r.flowType = type;
    BigEndian.ipv6(exporterAddr, 0, r.exporterAddr);
    r.receivedNs = receivedNs;
    r.time = receivedSeconds();
    r.observationDomain = domain;
    r.sequence = sequence;
    return r;
  }

  private long secondsOfNs = Long.MIN_VALUE;
  private long seconds = Math.floorDiv(Long.MIN_VALUE, 1_000_000_000L);

  /** {@link #receivedNs} in Unix seconds, divided once per datagram rather than once per record. */
  private long receivedSeconds() {
    if (receivedNs != secondsOfNs) {
      seconds = Math.floorDiv(receivedNs, 1_000_000_000L);
      secondsOfNs = receivedNs;
    }
    return seconds;
  }

  public void problem(DecodeProblem p) {
    counters.problem(p);
  }

  public void problem(DecodeProblem p, long n) {
    counters.problem(p, n);
  }
}
