package io.sluice.decode.flow;

import java.util.Arrays;

/**
 * Interface counters from one sFlow counter sample: the generic interface record (format 1)
 * and/or the Ethernet record (format 2). Reused by the decoder like {@link FlowRecord}.
 */
public final class InterfaceCounters {
  public long time;
  public long receivedNs;
  public final byte[] exporterAddr = new byte[16];
  public final byte[] agentAddr = new byte[16];
  /** sFlow sub-agent id. */
  public long observationDomain;
  public long sequence;
  public long sampleSequence;

  public boolean hasGeneric;
  public long ifIndex;
  public long ifType;
  public long ifSpeed;
  public long ifDirection;
  public long ifStatus;
  public long ifInOctets;
  public long ifInUcastPkts;
  public long ifInMulticastPkts;
  public long ifInBroadcastPkts;
  public long ifInDiscards;
  public long ifInErrors;
  public long ifInUnknownProtos;
  public long ifOutOctets;
  public long ifOutUcastPkts;
  public long ifOutMulticastPkts;
  public long ifOutBroadcastPkts;
  public long ifOutDiscards;
  public long ifOutErrors;
  public long ifPromiscuousMode;

  public boolean hasEthernet;
  public long dot3AlignmentErrors;
  public long dot3FcsErrors;
  public long dot3SingleCollisionFrames;
  public long dot3MultipleCollisionFrames;
  public long dot3SqeTestErrors;
  public long dot3DeferredTransmissions;
  public long dot3LateCollisions;
  public long dot3ExcessiveCollisions;
  public long dot3InternalMacTransmitErrors;
  public long dot3CarrierSenseErrors;
  public long dot3FrameTooLongs;
  public long dot3InternalMacReceiveErrors;
  public long dot3SymbolErrors;

  public void reset() {
    time = receivedNs = observationDomain = sequence = sampleSequence = 0;
    Arrays.fill(exporterAddr, (byte) 0);
    Arrays.fill(agentAddr, (byte) 0);
    hasGeneric = hasEthernet = false;
    ifIndex = ifType = ifSpeed = ifDirection = ifStatus = 0;
    ifInOctets = ifInUcastPkts = ifInMulticastPkts = ifInBroadcastPkts = ifInDiscards = ifInErrors = 0;
    ifInUnknownProtos = ifOutOctets = ifOutUcastPkts = ifOutMulticastPkts = ifOutBroadcastPkts = 0;
    ifOutDiscards = ifOutErrors = ifPromiscuousMode = 0;
    dot3AlignmentErrors = dot3FcsErrors = dot3SingleCollisionFrames = dot3MultipleCollisionFrames = 0;
    dot3SqeTestErrors = dot3DeferredTransmissions = dot3LateCollisions = dot3ExcessiveCollisions = 0;
    dot3InternalMacTransmitErrors = dot3CarrierSenseErrors = dot3FrameTooLongs = 0;
    dot3InternalMacReceiveErrors = dot3SymbolErrors = 0;
  }
}
