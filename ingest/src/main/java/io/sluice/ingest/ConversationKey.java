package io.sluice.ingest;

import io.sluice.ingest.pcap.LinkTypes;
import java.util.Arrays;

/**
 * The Kafka key of sluice.packets.raw and sluice.sockets.raw (the wire contract, sluice.proto): the unordered
 * address/port pair, so both directions of a conversation and its socket events land in one partition. 36 bytes:
 * the lower endpoint (16-byte address, IPv4 as ::ffff:a.b.c.d, then the 2-byte port, big endian) then the higher
 * one, compared address first (unsigned bytes), then port.
 *
 * <p>Of a frame: the outermost IP header (after Ethernet, 802.1Q/802.1ad tags and MPLS labels, or a Linux cooked,
 * BSD loopback or raw IP header), IPv6 extension headers walked. Ports are TCP's or UDP's, and 0 for other
 * protocols, for every IP fragment (first or later: all fragments of a datagram share one key, whether the capture
 * kept the later ones or not) and when the capture cut the frame before them. One definition, used by the eBPF
 * loader, {@code sluice replay} and the L7 job's keys.
 */
public final class ConversationKey {
  public static final int LENGTH = 36;
  private static final int MAX_VLAN_TAGS = 2;
  private static final int MAX_MPLS_LABELS = 8;
  private static final int MAX_IPV6_EXTENSIONS = 8;

  private ConversationKey() {}

  /** The key of two endpoints, in either order (16-byte addresses). */
  public static byte[] of(byte[] a, int aPort, byte[] b, int bPort) {
    byte[] key = new byte[LENGTH];
    of(a, aPort, b, bPort, key, 0);
    return key;
  }

  /** As {@link #of(byte[], int, byte[], int)}, written into {@code key} from {@code at} (the L7 job's key builder). */
  public static void of(byte[] a, int aPort, byte[] b, int bPort, byte[] key, int at) {
    of(a, 0, aPort, b, 0, bPort, 16, key, at);
  }

  /** IPv4 as ::ffff:a.b.c.d, IPv6 as is. */
  public static byte[] addr16(byte[] src, int off, boolean v4) {
    byte[] out = new byte[16];
    if (v4) {
      out[10] = (byte) 0xff;
      out[11] = (byte) 0xff;
      System.arraycopy(src, off, out, 12, 4);
    } else {
      System.arraycopy(src, off, out, 0, 16);
    }
    return out;
  }

  /** The key of a captured frame into {@code key} (36 bytes, reused): false when the frame has no IP header. */
  public static boolean ofFrame(int linkType, byte[] f, int off, int len, byte[] key) {
    int end = off + len;
    int p;
    int type;
    switch (linkType) {
      case LinkTypes.ETHERNET -> {
        if (end - off < 14) {
          return false;
        }
        type = u16(f, off + 12);
        p = off + 14;
      }
      case LinkTypes.LINUX_SLL -> {
        if (end - off < 16) {
          return false;
        }
        type = u16(f, off + 14);
        p = off + 16;
      }
      case LinkTypes.LINUX_SLL2 -> {
        if (end - off < 20) {
          return false;
        }
        type = u16(f, off);
        p = off + 20;
      }
      case LinkTypes.NULL, LinkTypes.LOOP -> {
        p = off + 4;
        type = 0; // the IP version nibble says which
      }
      case LinkTypes.RAW, LinkTypes.IPV4, LinkTypes.IPV6, 12, 14 -> {
        p = off;
        type = 0;
      }
      default -> {
        return false;
      }
    }
    for (int i = 0; i < MAX_VLAN_TAGS && (type == 0x8100 || type == 0x88a8) && end - p >= 4; i++) {
      type = u16(f, p + 2);
      p += 4;
    }
    if (type == 0x8847 || type == 0x8848) {
      for (int i = 0; i < MAX_MPLS_LABELS && end - p >= 4; i++) {
        boolean bottom = (f[p + 2] & 1) != 0;
        p += 4;
        if (bottom) {
          break;
        }
      }
      type = 0;
    }
    if (type != 0 && type != 0x0800 && type != 0x86dd) {
      return false;
    }
    return ofIp(f, p, end, key);
  }

  /** The key of the IP packet at {@code p} (its captured bytes end at {@code end}). */
  public static boolean ofIp(byte[] f, int p, int end, byte[] key) {
    if (end - p < 1) {
      return false;
    }
    int version = (f[p] & 0xF0) >>> 4;
    int src;
    int dst;
    int addrLen;
    int l4;
    int protocol;
    boolean fragment;
    if (version == 4 && end - p >= 20) {
      src = p + 12;
      dst = p + 16;
      addrLen = 4;
      l4 = p + (f[p] & 0x0f) * 4;
      protocol = f[p + 9] & 0xff;
      fragment = (u16(f, p + 6) & 0x3FFF) != 0; // MF or an offset
    } else if (version == 6 && end - p >= 40) {
      src = p + 8;
      dst = p + 24;
      addrLen = 16;
      l4 = p + 40;
      protocol = f[p + 6] & 0xff;
      fragment = false;
      for (int i = 0; i < MAX_IPV6_EXTENSIONS && isIpv6Extension(protocol); i++) {
        if (end - l4 < 8) {
          protocol = -1;
          break;
        }
        int next = f[l4] & 0xff;
        int length;
        if (protocol == 44) {
          fragment = true;
          length = 8;
        } else if (protocol == 51) {
          length = ((f[l4 + 1] & 0xff) + 2) * 4;
        } else {
          length = ((f[l4 + 1] & 0xff) + 1) * 8;
        }
        protocol = next;
        l4 += length;
      }
    } else {
      return false;
    }
    int sport = 0;
    int dport = 0;
    if (!fragment && (protocol == 6 || protocol == 17) && end - l4 >= 4) {
      sport = u16(f, l4);
      dport = u16(f, l4 + 2);
    }
    of(f, src, sport, f, dst, dport, addrLen, key, 0);
    return true;
  }

  private static void of(byte[] a, int aAt, int aPort, byte[] b, int bAt, int bPort, int addrLen, byte[] key,
      int keyAt) {
    int c = Arrays.compareUnsigned(a, aAt, aAt + addrLen, b, bAt, bAt + addrLen);
    boolean aFirst = c < 0 || (c == 0 && aPort <= bPort);
    put(key, keyAt, aFirst ? a : b, aFirst ? aAt : bAt, addrLen, aFirst ? aPort : bPort);
    put(key, keyAt + 18, aFirst ? b : a, aFirst ? bAt : aAt, addrLen, aFirst ? bPort : aPort);
  }

  private static void put(byte[] key, int at, byte[] addr, int addrAt, int addrLen, int port) {
    if (addrLen == 4) {
      Arrays.fill(key, at, at + 10, (byte) 0);
      key[at + 10] = (byte) 0xff;
      key[at + 11] = (byte) 0xff;
    }
    System.arraycopy(addr, addrAt, key, at + 16 - addrLen, addrLen);
    key[at + 16] = (byte) (port >>> 8);
    key[at + 17] = (byte) port;
  }

  private static boolean isIpv6Extension(int next) {
    return next == 0 || next == 43 || next == 44 || next == 51 || next == 60 || next == 135 || next == 139
        || next == 140;
  }

  private static int u16(byte[] b, int p) {
    return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
  }
}
