package io.sluice.decode.l7.dns;

/** DNS record types Sluice names; others print as TYPEnnn (RFC 3597). */
public final class DnsTypes {
  public static final int A = 1;
  public static final int NS = 2;
  public static final int CNAME = 5;
  public static final int SOA = 6;
  public static final int PTR = 12;
  public static final int MX = 15;
  public static final int TXT = 16;
  public static final int AAAA = 28;
  public static final int SRV = 33;
  public static final int DNAME = 39;
  public static final int OPT = 41;
  public static final int SVCB = 64;
  public static final int HTTPS = 65;

  private static final String[] NAMES = new String[256];

  static {
    NAMES[A] = "A";
    NAMES[NS] = "NS";
    NAMES[CNAME] = "CNAME";
    NAMES[SOA] = "SOA";
    NAMES[PTR] = "PTR";
    NAMES[MX] = "MX";
    NAMES[TXT] = "TXT";
    NAMES[AAAA] = "AAAA";
    NAMES[SRV] = "SRV";
    NAMES[DNAME] = "DNAME";
    NAMES[OPT] = "OPT";
    NAMES[43] = "DS";
    NAMES[46] = "RRSIG";
    NAMES[47] = "NSEC";
    NAMES[48] = "DNSKEY";
    NAMES[50] = "NSEC3";
    NAMES[SVCB] = "SVCB";
    NAMES[HTTPS] = "HTTPS";
    NAMES[255] = "ANY";
  }

  private DnsTypes() {}

  public static String name(int type) {
    String n = type < NAMES.length ? NAMES[type] : null;
    return n != null ? n : "TYPE" + type;
  }
}
