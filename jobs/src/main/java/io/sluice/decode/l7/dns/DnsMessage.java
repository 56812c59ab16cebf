package io.sluice.decode.l7.dns;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One decoded DNS message, filled in place by {@link DnsParser}; reuse one per thread. */
public final class DnsMessage {
  /** Answers kept per message; the header's count is still reported in full. */
  public static final int MAX_ANSWERS = 32;

  public int id;
  /** The 16 flag bits of the header, as sent (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE). */
  public int flags;
  public int qdCount;
  public int anCount;
  public int nsCount;
  public int arCount;
  /** The first question; "." for the root. */
  public String qname;
  public int qtype;
  public int qclass;
  /** "name TYPE value" per answer record, at most {@link #MAX_ANSWERS}. */
  public final List<String> answers = new ArrayList<>();
  public boolean edns;
  public int ednsUdpSize;
  public int ednsVersion;
  public boolean ednsDo;
  /** The upper 8 bits of the 12-bit extended RCODE, from the OPT record. */
  public int ednsExtendedRcode;
  /** EDNS Client Subnet (RFC 7871): family 0 when absent, 1 IPv4, 2 IPv6. */
  public int ecsFamily;
  public int ecsSourcePrefix;
  public int ecsScopePrefix;
  /** The ECS address, 16 bytes, IPv4 mapped. */
  public final byte[] ecsAddr = new byte[16];
  /** Size of the DNS message in bytes (on the wire, also when the capture cut it). */
  public int size;
  /** The capture cut the message (its snap length): records after the cut are not decoded. */
  public boolean cut;
  /** The first question was decoded (false when there is none, or the capture cut it). */
  public boolean questionCaptured;
  /** Answer records decoded whole (the header's {@link #anCount} may say more when the message was cut). */
  public int answersCaptured;

  public boolean isResponse() {
    return (flags & 0x8000) != 0;
  }

  public int opcode() {
    return (flags >>> 11) & 0xF;
  }

  public boolean truncated() {
    return (flags & 0x0200) != 0;
  }

  /** The full (EDNS-extended) response code. */
  public int rcode() {
    return ednsExtendedRcode << 4 | (flags & 0xF);
  }

  void reset() {
    id = flags = qdCount = anCount = nsCount = arCount = 0;
    qname = "";
    qtype = qclass = 0;
    answers.clear();
    edns = false;
    ednsUdpSize = ednsVersion = ednsExtendedRcode = 0;
    ednsDo = false;
    ecsFamily = ecsSourcePrefix = ecsScopePrefix = 0;
    Arrays.fill(ecsAddr, (byte) 0);
    size = 0;
    cut = false;
    questionCaptured = false;
    answersCaptured = 0;
  }
}
