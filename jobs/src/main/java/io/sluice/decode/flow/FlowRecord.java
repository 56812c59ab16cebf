package io.sluice.decode.flow;

import io.sluice.decode.packet.BigEndian;
import java.util.Arrays;

/**
 * One decoded flow: a NetFlow/IPFIX data record or an sFlow flow sample. The field names are the
 * ClickHouse {@code flows} columns in camelCase (sql/001_flows.sql); the fields after {@link
 * #estPackets} are extras the table does not have (yet).
 *
 * <p>Decoders fill one reused instance and hand it to a {@link FlowSink}: a sink that keeps records
 * must {@link #copy()} them. Addresses are 16 bytes, IPv4 mapped (::ffff:a.b.c.d); all zero when
 * absent. Unsigned 32-bit columns are held in longs.
 */
public final class FlowRecord {
  public static final int DIRECTION_INGRESS = 0;
  public static final int DIRECTION_EGRESS = 1;
  public static final int DIRECTION_UNKNOWN = 255;
  public static final int MAX_MPLS_LABELS = 10;
  public static final int MAX_AS_PATH = 32;
  public static final int MAX_COMMUNITIES = 32;

  /** Unix seconds the flow is counted in: NetFlow/IPFIX flow end when known, else receive time. */
  public long time;
  public long flowStartMs;
  public long flowEndMs;
  public long receivedNs;
  public FlowType flowType;
  public final byte[] exporterAddr = new byte[16];
  /** Filled by enrichment, not by the decoders. */
  public String exporterName = "";
  public String site = "";
  /** NetFlow v9 source id, IPFIX observation domain, sFlow sub-agent id. */
  public long observationDomain;
  /** NetFlow/IPFIX header sequence, sFlow datagram sequence. */
  public long sequence;
  public long inIf;
  public long outIf;
  /** The exporter's own names (options data), replaced by registered ones in enrichment. */
  public String inIfName = "";
  public String outIfName = "";
  /**
   * Kind of {@link #outIf}. For sFlow discarded and multiple outputs {@code outIf} is 0 (the 30-bit
   * value there is a reason code or an interface count, not an ifIndex); local keeps 0x3FFFFFFF.
   */
  public OutIfKind outIfKind = OutIfKind.IFINDEX;
  public int direction = DIRECTION_UNKNOWN;
  public final byte[] srcAddr = new byte[16];
  public final byte[] dstAddr = new byte[16];
  public int srcPort;
  public int dstPort;
  public int protocol;
  public int tcpFlags;
  public int tos;
  public int icmpType;
  public int icmpCode;
  public long srcAs;
  public long dstAs;
  public int srcMask;
  public int dstMask;
  public final byte[] nextHop = new byte[16];
  public final byte[] bgpNextHop = new byte[16];
  public int srcVlan;
  public int dstVlan;
  public long srcMac;
  public long dstMac;
  public long mplsTopLabel;
  /** The first {@link #mplsLabelCount} entries are the label stack, top first (20-bit labels). */
  public final int[] mplsLabels = new int[MAX_MPLS_LABELS];
  public int mplsLabelCount;
  public int forwardingStatus;
  public int flowEndReason;
  public final byte[] postNatSrcAddr = new byte[16];
  public final byte[] postNatDstAddr = new byte[16];
  public int postNatSrcPort;
  public int postNatDstPort;
  /**
   * The outer header of a tunnelled record (IPv4/IPv6 in IP, SRv6, 6in4) whose src/dst/protocol/ports
   * describe the carried packet; all zero and 0 when the record describes one header only. The
   * protocol is the outer header's (4: carries IPv4, 41: carries IPv6).
   */
  public final byte[] tunnelSrcAddr = new byte[16];
  public final byte[] tunnelDstAddr = new byte[16];
  public int tunnelProtocol;
  /** ingressVRFID/egressVRFID (IE 234/235), 0 when absent; the names from the exporter's options data. */
  public long inVrfId;
  public long outVrfId;
  public String inVrfName = "";
  public String outVrfName = "";
  public long samplerId;
  /** Counts as the exporter reported them; sFlow: one sampled packet and its frame length. */
  public long sampledBytes;
  public long sampledPackets;
  /** The rate applied; 0 when {@link #samplingRateSource} is UNKNOWN. */
  public long samplingRate;
  public SamplingRateSource samplingRateSource = SamplingRateSource.UNKNOWN;
  /** sampled × rate; 0 when the rate is unknown. */
  public long estBytes;
  public long estPackets;

  // ---- Extras not in the table.
  /** IP version of src/dst (4 or 6), 0 when the record has no addresses. */
  public int ipVersion;
  /** IP total length of an sFlow sampled packet or an IPFIX data link frame section; else 0. */
  public int ipLength;
  public long selectorId;
  /** Column as_path: the BGP AS path (sFlow extended gateway), {@link #asPathLength} entries. */
  public final long[] asPath = new long[MAX_AS_PATH];
  public int asPathLength;
  /** Column communities, {@link #communityCount} entries. */
  public final long[] communities = new long[MAX_COMMUNITIES];
  public int communityCount;
  public long peerSrcAs;
  public long peerDstAs;
  /** sFlow agent address (may differ from the exporter's UDP source); zero for NetFlow/IPFIX. */
  public final byte[] agentAddr = new byte[16];

  private static void clear(byte[] a16) {
    BigEndian.zero16(a16);
  }

  public void reset() {
    time = flowStartMs = flowEndMs = receivedNs = 0;
    // References are only written when they change: a reference store into an old-generation record
    // costs a GC write barrier, and these rarely change.
    if (flowType != null) flowType = null;
    if (exporterName != "") exporterName = "";
    if (site != "") site = "";
    if (inIfName != "") inIfName = "";
    if (outIfName != "") outIfName = "";
    observationDomain = sequence = inIf = outIf = 0;
    if (outIfKind != OutIfKind.IFINDEX) outIfKind = OutIfKind.IFINDEX;
    direction = DIRECTION_UNKNOWN;
    clear(srcAddr);
    clear(dstAddr);
    srcPort = dstPort = protocol = tcpFlags = tos = icmpType = icmpCode = 0;
    srcAs = dstAs = 0;
    srcMask = dstMask = 0;
    clear(nextHop);
    clear(bgpNextHop);
    srcVlan = dstVlan = 0;
    srcMac = dstMac = mplsTopLabel = 0;
    mplsLabelCount = forwardingStatus = flowEndReason = 0;
    clear(postNatSrcAddr);
    clear(postNatDstAddr);
    postNatSrcPort = postNatDstPort = 0;
    clear(tunnelSrcAddr);
    clear(tunnelDstAddr);
    tunnelProtocol = 0;
    inVrfId = outVrfId = 0;
    if (inVrfName != "") inVrfName = "";
    if (outVrfName != "") outVrfName = "";
    samplerId = sampledBytes = sampledPackets = samplingRate = estBytes = estPackets = 0;
    if (samplingRateSource != SamplingRateSource.UNKNOWN) samplingRateSource = SamplingRateSource.UNKNOWN;
    ipVersion = ipLength = 0;
    selectorId = 0;
    asPathLength = communityCount = 0;
    peerSrcAs = peerDstAs = 0;
    clear(agentAddr);
  }

  /** Applies a sampling rate and computes the estimates; a rate of 0 means unknown. */
  public void applySampling(long rate, SamplingRateSource source) {
    if (rate <= 0 || source == SamplingRateSource.UNKNOWN) {
      samplingRate = 0;
      if (samplingRateSource != SamplingRateSource.UNKNOWN) samplingRateSource = SamplingRateSource.UNKNOWN;
      estBytes = estPackets = 0;
    } else {
      samplingRate = rate;
      if (samplingRateSource != source) samplingRateSource = source;
      estBytes = sampledBytes * rate;
      estPackets = sampledPackets * rate;
    }
  }

  /** The MPLS labels as a new array. */
  public int[] mplsLabelList() {
    return Arrays.copyOf(mplsLabels, mplsLabelCount);
  }

  public FlowRecord copy() {
    FlowRecord c = new FlowRecord();
    c.copyFrom(this);
    return c;
  }

  public void copyFrom(FlowRecord o) {
    time = o.time;
    flowStartMs = o.flowStartMs;
    flowEndMs = o.flowEndMs;
    receivedNs = o.receivedNs;
    flowType = o.flowType;
    System.arraycopy(o.exporterAddr, 0, exporterAddr, 0, 16);
    exporterName = o.exporterName;
    site = o.site;
    observationDomain = o.observationDomain;
    sequence = o.sequence;
    inIf = o.inIf;
    outIf = o.outIf;
    inIfName = o.inIfName;
    outIfName = o.outIfName;
    outIfKind = o.outIfKind;
    direction = o.direction;
    System.arraycopy(o.srcAddr, 0, srcAddr, 0, 16);
    System.arraycopy(o.dstAddr, 0, dstAddr, 0, 16);
    srcPort = o.srcPort;
    dstPort = o.dstPort;
    protocol = o.protocol;
    tcpFlags = o.tcpFlags;
    tos = o.tos;
    icmpType = o.icmpType;
    icmpCode = o.icmpCode;
    srcAs = o.srcAs;
    dstAs = o.dstAs;
    srcMask = o.srcMask;
    dstMask = o.dstMask;
    System.arraycopy(o.nextHop, 0, nextHop, 0, 16);
    System.arraycopy(o.bgpNextHop, 0, bgpNextHop, 0, 16);
    srcVlan = o.srcVlan;
    dstVlan = o.dstVlan;
    srcMac = o.srcMac;
    dstMac = o.dstMac;
    mplsTopLabel = o.mplsTopLabel;
    System.arraycopy(o.mplsLabels, 0, mplsLabels, 0, MAX_MPLS_LABELS);
    mplsLabelCount = o.mplsLabelCount;
    forwardingStatus = o.forwardingStatus;
    flowEndReason = o.flowEndReason;
    System.arraycopy(o.postNatSrcAddr, 0, postNatSrcAddr, 0, 16);
    System.arraycopy(o.postNatDstAddr, 0, postNatDstAddr, 0, 16);
    postNatSrcPort = o.postNatSrcPort;
    postNatDstPort = o.postNatDstPort;
    System.arraycopy(o.tunnelSrcAddr, 0, tunnelSrcAddr, 0, 16);
    System.arraycopy(o.tunnelDstAddr, 0, tunnelDstAddr, 0, 16);
    tunnelProtocol = o.tunnelProtocol;
    inVrfId = o.inVrfId;
    outVrfId = o.outVrfId;
    inVrfName = o.inVrfName;
    outVrfName = o.outVrfName;
    samplerId = o.samplerId;
    sampledBytes = o.sampledBytes;
    sampledPackets = o.sampledPackets;
    samplingRate = o.samplingRate;
    samplingRateSource = o.samplingRateSource;
    estBytes = o.estBytes;
    estPackets = o.estPackets;
    ipVersion = o.ipVersion;
    ipLength = o.ipLength;
    selectorId = o.selectorId;
    System.arraycopy(o.asPath, 0, asPath, 0, MAX_AS_PATH);
    asPathLength = o.asPathLength;
    System.arraycopy(o.communities, 0, communities, 0, MAX_COMMUNITIES);
    communityCount = o.communityCount;
    peerSrcAs = o.peerSrcAs;
    peerDstAs = o.peerDstAs;
    System.arraycopy(o.agentAddr, 0, agentAddr, 0, 16);
  }
}
