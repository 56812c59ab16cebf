package io.sluice.net;

/**
 * An address prefix in the 16-byte space (IPv4 mapped: an IPv4 /24 is a /120 here), held as two longs so that
 * lookups hash cheaply. Host bits are always zero.
 */
public record Prefix(long hi, long lo, int length) {
  public Prefix {
    if (length < 0 || length > 128) {
      throw new IllegalArgumentException("prefix length must be 0..128, got " + length);
    }
    if (hi != maskHi(hi, length) || lo != maskLo(lo, length)) {
      throw new IllegalArgumentException("host bits set in prefix");
    }
  }

  /**
   * Parses {@code 192.0.2.1}, {@code 192.0.2.0/24}, {@code 2001:db8::/64} or {@code ::ffff:192.0.2.0/120}. A bare
   * address is a host prefix. Host bits must be zero: {@code 192.0.2.1/24} is refused with the network it probably
   * meant, rather than guessed.
   */
  public static Prefix parse(String text) {
    String t = text == null ? "" : text.strip();
    String example = " (expected an address or prefix, e.g. 192.0.2.1, 192.0.2.0/24 or 2001:db8::/64)";
    if (t.isEmpty()) {
      throw new IllegalArgumentException("empty address" + example);
    }
    int slash = t.indexOf('/');
    String addrText = slash < 0 ? t : t.substring(0, slash);
    boolean v4 = IpAddresses.isV4Literal(addrText);
    byte[] addr;
    try {
      addr = IpAddresses.parse(addrText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid address \"" + text + "\"" + example);
    }
    int max = v4 ? 32 : 128;
    int len = max;
    if (slash >= 0) {
      String lenText = t.substring(slash + 1);
      if (lenText.isEmpty() || lenText.length() > 3 || !lenText.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("invalid prefix length in \"" + text + "\": expected 0.." + max);
      }
      len = Integer.parseInt(lenText);
      if (len > max) {
        throw new IllegalArgumentException("invalid prefix length in \"" + text + "\": expected 0.." + max);
      }
    }
    int len128 = v4 ? len + 96 : len;
    long hi = IpAddresses.longAt(addr, 0);
    long lo = IpAddresses.longAt(addr, 8);
    if (hi != maskHi(hi, len128) || lo != maskLo(lo, len128)) {
      Prefix network = new Prefix(maskHi(hi, len128), maskLo(lo, len128), len128);
      throw new IllegalArgumentException("\"" + text + "\" has host bits set: did you mean " + network.canonical()
          + " (the network) or " + addrText + " (the single address)?");
    }
    return new Prefix(hi, lo, len128);
  }

  public static Prefix of(byte[] addr16, int length) {
    if (addr16 == null || addr16.length != 16) {
      throw new IllegalArgumentException("a prefix address has 16 bytes, got " + (addr16 == null ? "none" : addr16.length));
    }
    return new Prefix(IpAddresses.longAt(addr16, 0), IpAddresses.longAt(addr16, 8), length);
  }

  public static Prefix host(byte[] addr16) {
    return of(addr16, 128);
  }

  public byte[] address() {
    return IpAddresses.fromLongs(hi, lo);
  }

  /** The last address inside the prefix (all host bits set). */
  public byte[] lastAddress() {
    long hostHi = length >= 64 ? 0 : (length == 0 ? -1L : -1L >>> length);
    long hostLo = length >= 128 ? 0 : (length <= 64 ? -1L : -1L >>> (length - 64));
    return IpAddresses.fromLongs(hi | hostHi, lo | hostLo);
  }

  /** True when this prefix lies in the IPv4-mapped range ::ffff:0:0/96, so it prints as IPv4. */
  public boolean isV4() {
    return length >= 96 && hi == 0 && (lo >>> 32) == 0xffffL;
  }

  /** The canonical text, the key in sluice.sources: {@code 192.0.2.0/24}, {@code 2001:db8::/64}. */
  public String canonical() {
    return IpAddresses.format(address()) + "/" + (isV4() ? length - 96 : length);
  }

  public boolean contains(long addrHi, long addrLo) {
    return maskHi(addrHi, length) == hi && maskLo(addrLo, length) == lo;
  }

  @Override
  public String toString() {
    return canonical();
  }

  public static long maskHi(long hi, int length) {
    if (length >= 64) {
      return hi;
    }
    return length == 0 ? 0 : hi & (-1L << (64 - length));
  }

  public static long maskLo(long lo, int length) {
    if (length <= 64) {
      return 0;
    }
    return length == 128 ? lo : lo & (-1L << (128 - length));
  }
}
