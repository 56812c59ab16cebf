package io.sluice.decode.packet;

import java.util.Arrays;

/**
 * The L2–L4 headers of one packet, filled in place by {@link PacketParser}. Reuse one instance per
 * thread: the parser resets it and never allocates.
 *
 * <p>Offsets are absolute indexes into the buffer given to the parser. Counts that come from the
 * packet itself ({@link #ipTotalLength}, {@link #udpLength}) are what the header says, whereas
 * {@link #payloadLength} is bounded by the bytes actually captured. A field that the packet does
 * not have is 0 (or -1 where 0 is a valid value, as documented).
 */
public final class PacketHeader {
  public static final int MAX_MPLS_LABELS = 8;
  public static final int VXLAN_PORT = 4789;

  // ---- L2
  /** Layer reached: 0 nothing, 2 link, 3 network, 4 transport. */
  public int layer;
  /** True when the captured bytes ended inside a header that was being parsed. */
  public boolean truncated;
  /** True when the frame nests more layers than {@link PacketParser#MAX_PSEUDOWIRE_NESTING}: parsing stopped there. */
  public boolean tooDeep;
  /** MAC addresses in the low 48 bits; 0 when the link type has none. */
  public long dstMac;
  public long srcMac;
  /** The EtherType that carried the network layer (after VLAN tags and MPLS), or 0. */
  public int etherType;
  /** 802.1Q/802.1ad tags seen: outer first. {@link #outerVlan} is the first, {@link #innerVlan} the last. */
  public int vlanCount;
  public int outerVlan;
  public int innerVlan;
  /** MPLS labels (20-bit values), top of stack first; at most {@link #MAX_MPLS_LABELS} kept. */
  public int mplsCount;
  public final int[] mplsLabels = new int[MAX_MPLS_LABELS];

  // ---- L3
  /** 4, 6, or 0 when there is no IP header. */
  public int ipVersion;
  public int ipOffset;
  /** IPv4 header length including options; IPv6: 40 plus the extension headers. */
  public int ipHeaderLength;
  /** The IP total length the header declares (IPv6: payload length + 40). */
  public int ipTotalLength;
  /** IPv4 ToS byte, IPv6 traffic class. */
  public int tos;
  public int ttl;
  /** IPv4 identification, or the IPv6 fragment header's identification; -1 if none. */
  public long ipId;
  /** Fragment offset in bytes. */
  public int fragmentOffset;
  public boolean moreFragments;
  public boolean dontFragment;
  public int flowLabel;
  /** Source and destination: 16 bytes, IPv4 mapped (::ffff:a.b.c.d). */
  public final byte[] srcAddr = new byte[16];
  public final byte[] dstAddr = new byte[16];
  /** The transport protocol, after any IPv6 extension headers. */
  public int protocol;

  // ---- L4
  /** Offset of the transport header, or -1 when not reached (e.g. a non-first fragment). */
  public int l4Offset;
  public int srcPort;
  public int dstPort;
  public long tcpSeq;
  public long tcpAck;
  /** TCP flags byte (CWR ECE URG ACK PSH RST SYN FIN). */
  public int tcpFlags;
  public int tcpWindow;
  /** UDP length field. */
  public int udpLength;
  public int icmpType;
  public int icmpCode;
  /** Where the transport payload starts and how many of its bytes were captured (0 when none). */
  public int payloadOffset;
  public int payloadLength;

  // ---- Tunnels: the encapsulated packet is parsed into {@link #inner}.
  /** UDP to port 4789 with a VXLAN header: {@link #inner} holds the inner Ethernet frame. */
  public boolean vxlan;
  public int vxlanVni;
  /** IPv4 or IPv6 in IP (protocol 4 or 41; SRv6 and IP-in-IP tunnels): {@link #inner} holds the inner packet. */
  public boolean ipInIp;
  /** Inner headers when {@link #vxlan} or {@link #ipInIp}; null on the inner holder itself (no deeper nesting). */
  public final PacketHeader inner;

  public PacketHeader() {
    this(true);
  }

  private PacketHeader(boolean withInner) {
    inner = withInner ? new PacketHeader(false) : null;
  }

  public void reset() {
    layer = 0;
    truncated = false;
    tooDeep = false;
    dstMac = srcMac = 0;
    etherType = vlanCount = outerVlan = innerVlan = mplsCount = 0;
    ipVersion = ipOffset = ipHeaderLength = ipTotalLength = tos = ttl = 0;
    ipId = -1;
    fragmentOffset = 0;
    moreFragments = dontFragment = false;
    flowLabel = 0;
    Arrays.fill(srcAddr, (byte) 0);
    Arrays.fill(dstAddr, (byte) 0);
    protocol = 0;
    l4Offset = -1;
    srcPort = dstPort = 0;
    tcpSeq = tcpAck = 0;
    tcpFlags = tcpWindow = udpLength = icmpType = icmpCode = 0;
    payloadOffset = payloadLength = 0;
    vxlan = false;
    vxlanVni = 0;
    ipInIp = false;
  }

  /**
   * The IP packet flow accounting describes: the inner packet of an IP-in-IP tunnel (SRv6
   * carries the customer's packet that way), else this one. VXLAN is not unwrapped here.
   */
  public PacketHeader flowIp() {
    return ipInIp && inner != null && inner.ipVersion != 0 ? inner : this;
  }

  public boolean isFragment() {
    return fragmentOffset != 0 || moreFragments;
  }
}
