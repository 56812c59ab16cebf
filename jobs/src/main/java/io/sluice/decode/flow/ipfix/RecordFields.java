package io.sluice.decode.flow.ipfix;

/**
 * Values of one data record that need a decision after all its fields are read (which counter,
 * which clock, which rate). Reused; {@link #reset()} per record.
 */
final class RecordFields {
  static final int BYTES_DELTA = 1;
  static final int BYTES_TOTAL = 1 << 1;
  static final int BYTES_POST = 1 << 2;
  static final int BYTES_INIT_RESP = 1 << 3;
  static final int PACKETS_DELTA = 1 << 4;
  static final int PACKETS_TOTAL = 1 << 5;
  static final int PACKETS_POST = 1 << 6;
  static final int PACKETS_INIT_RESP = 1 << 7;
  static final int SRC_ADDR6 = 1 << 8;
  static final int DST_ADDR6 = 1 << 9;
  static final int ICMP = 1 << 10;
  static final int TOS = 1 << 11;
  static final int IN_IF = 1 << 12;
  static final int OUT_IF = 1 << 13;
  static final int SAMPLER = 1 << 14;
  static final int SELECTOR = 1 << 15;
  static final int DATALINK = 1 << 16;
  static final int SRC_ADDR = 1 << 17;
  static final int DST_ADDR = 1 << 18;
  static final int PORTS = 1 << 19;
  static final int PROTOCOL = 1 << 20;
  static final int VLAN = 1 << 21;
  static final int MAC = 1 << 22;
  static final int SYSTEM_INIT = 1 << 23;
  static final int TCP_FLAGS = 1 << 24;
  static final int NEXT_HEADER6 = 1 << 25;
  static final int IN_VRF = 1 << 26;
  static final int OUT_VRF = 1 << 27;

  int has;
  long bytesDelta, bytesTotal, bytesPost, bytesInitiator, bytesResponder;
  long packetsDelta, packetsTotal, packetsPost, packetsInitiator, packetsResponder;
  long startMs, endMs, startUptime = -1, endUptime = -1, startDeltaUs = -1, endDeltaUs = -1, systemInitMs;
  int dscp;
  long inPhysical, outPhysical;
  long samplingInterval, samplerRandomInterval, packetInterval, packetSpace, samplingSize, samplingPopulation;
  double samplingProbability;
  long samplerId, selectorId;
  /**
   * Where the record's address fields are in the datagram (-1: not in the template): which family is
   * the row's is decided once all fields are read ({@link CarriedHeader}), so template order does not matter.
   */
  int src4 = -1, dst4 = -1, src6 = -1, dst6 = -1, srv6Sid = -1;
  /** ipVersion (IE 60); 0 when absent. */
  int ipVersion;
  int nextHeader6;
  /** Where an options record's interfaceName/Description (IE 82/83) and VRFname (236) are; -1: absent. */
  int ifNameOff = -1, ifNameLen, ifDescOff = -1, ifDescLen, vrfNameOff = -1, vrfNameLen;

  void reset() {
    has = 0;
    bytesDelta = bytesTotal = bytesPost = bytesInitiator = bytesResponder = 0;
    packetsDelta = packetsTotal = packetsPost = packetsInitiator = packetsResponder = 0;
    startMs = endMs = systemInitMs = 0;
    startUptime = endUptime = startDeltaUs = endDeltaUs = -1;
    dscp = 0;
    inPhysical = outPhysical = 0;
    samplingInterval = samplerRandomInterval = packetInterval = packetSpace = samplingSize = samplingPopulation = 0;
    samplingProbability = 0;
    samplerId = selectorId = 0;
    src4 = dst4 = src6 = dst6 = srv6Sid = -1;
    ipVersion = nextHeader6 = 0;
    ifNameOff = ifDescOff = vrfNameOff = -1;
  }

  boolean has(int bit) {
    return (has & bit) != 0;
  }

  /** The record's own sampling rate in the oracle's order of preference, or 0. */
  long ownRate() {
    if (samplingInterval > 0) return samplingInterval;
    if (samplerRandomInterval > 0) return samplerRandomInterval;
    if (samplingSize > 0 && samplingPopulation > 0) return Math.round((double) samplingPopulation / samplingSize);
    if (packetInterval > 0) return Math.round((double) (packetInterval + packetSpace) / packetInterval);
    if (samplingProbability > 0 && samplingProbability <= 1) return Math.round(1 / samplingProbability);
    return 0;
  }
}
