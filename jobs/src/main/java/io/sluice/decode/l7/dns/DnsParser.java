package io.sluice.decode.l7.dns;

import io.sluice.decode.l7.L7Problem;
import io.sluice.net.IpAddresses;

/**
 * Decodes DNS messages (RFC 1035, EDNS0 RFC 6891, ECS RFC 7871) of every opcode: an UPDATE's (RFC 2136) zone,
 * prerequisite and update sections have the layout of the question, answer and authority sections and are read as
 * those; NOTIFY and STATUS messages like queries, with or without a question. Never throws: a message that cannot be
 * decoded yields the {@link L7Problem} that explains why. Not thread-safe: it keeps scratch buffers.
 */
public final class DnsParser {
  /** Compression pointers followed per name; a loop is reported as {@link L7Problem#DNS_COMPRESSION_LOOP}. */
  static final int MAX_POINTER_JUMPS = 32;
  static final int MAX_NAME_LENGTH = 255;
  private static final int MAX_RDATA_TEXT = 512;
  private static final int TYPE_OPT = 41;
  private static final int OPTION_ECS = 8;
  private static final int CLASS_NONE = 254;
  private static final int CLASS_ANY = 255;

  private final StringBuilder text = new StringBuilder(256);
  private final char[] nameChars = new char[4 * MAX_NAME_LENGTH + 8];
  private int nameLength;
  /** Where a name read by {@link #readName} ended in the message (after its last label or pointer). */
  private int nameEnd;
  private L7Problem nameProblem;

  /** Decodes {@code len} bytes at {@code off}; returns null when the message is usable. */
  public L7Problem parse(byte[] b, int off, int len, DnsMessage out) {
    return parse(b, off, len, len, out);
  }

  /**
   * Decodes the {@code len} bytes captured at {@code off} of a message of {@code wire} bytes. When the capture cut
   * the message ({@code len < wire}) and its header was captured, the message is usable: what was captured is
   * decoded up to the first record that does not end within it, and {@link DnsMessage#cut} is set.
   */
  public L7Problem parse(byte[] b, int off, int len, int wire, DnsMessage out) {
    L7Problem problem = decode(b, off, len, out);
    out.size = Math.max(len, wire);
    if (len < wire && len < 12 && len >= 0) {
      return L7Problem.DNS_HEADER_CUT;
    }
    if (len < wire && off >= 0 && off + len <= b.length) {
      out.cut = true;
      if (problem == L7Problem.DNS_TRUNCATED_MESSAGE) {
        return null;
      }
    }
    return problem;
  }

  private L7Problem decode(byte[] b, int off, int len, DnsMessage out) {
    out.reset();
    if (len < 12 || off < 0 || off + len > b.length) {
      return L7Problem.DNS_TRUNCATED_MESSAGE;
    }
    int end = off + len;
    out.id = u16(b, off);
    out.flags = u16(b, off + 2);
    out.qdCount = u16(b, off + 4);
    out.anCount = u16(b, off + 6);
    out.nsCount = u16(b, off + 8);
    out.arCount = u16(b, off + 10);
    int p = off + 12;
    for (int i = 0; i < out.qdCount; i++) {
      if (!readName(b, off, end, p)) {
        return nameProblem;
      }
      p = nameEnd;
      if (end - p < 4) {
        return L7Problem.DNS_TRUNCATED_MESSAGE;
      }
      if (i == 0) {
        out.qname = nameString();
        out.qtype = u16(b, p);
        out.qclass = u16(b, p + 2);
        out.questionCaptured = true;
      }
      p += 4;
    }
    int records = out.anCount + out.nsCount + out.arCount;
    for (int i = 0; i < records; i++) {
      if (!readName(b, off, end, p)) {
        return nameProblem;
      }
      p = nameEnd;
      if (end - p < 10) {
        return L7Problem.DNS_TRUNCATED_MESSAGE;
      }
      int type = u16(b, p);
      int rrClass = u16(b, p + 2);
      long ttl = u32(b, p + 4);
      int rdLength = u16(b, p + 8);
      int rdata = p + 10;
      if (end - rdata < rdLength) {
        return L7Problem.DNS_TRUNCATED_MESSAGE;
      }
      if (i < out.anCount) {
        out.answersCaptured++;
        if (out.answers.size() < DnsMessage.MAX_ANSWERS) {
          String owner = nameString();
          L7Problem problem = formatRecord(b, off, end, owner, type, rrClass, rdata, rdLength);
          if (problem != null) {
            return problem;
          }
          out.answers.add(text.toString());
        }
      } else if (i >= out.anCount + out.nsCount && type == TYPE_OPT) {
        readOpt(b, rrClass, ttl, rdata, rdLength, out);
      }
      p = rdata + rdLength;
    }
    return null;
  }

  private static void readOpt(byte[] b, int udpSize, long ttl, int p, int len, DnsMessage out) {
    out.edns = true;
    out.ednsUdpSize = udpSize;
    out.ednsExtendedRcode = (int) (ttl >>> 24) & 0xFF;
    out.ednsVersion = (int) (ttl >>> 16) & 0xFF;
    out.ednsDo = (ttl & 0x8000) != 0;
    int end = p + len;
    while (end - p >= 4) {
      int code = u16(b, p);
      int optLen = u16(b, p + 2);
      int data = p + 4;
      if (end - data < optLen) {
        return;
      }
      if (code == OPTION_ECS && optLen >= 4) {
        int family = u16(b, data);
        int source = b[data + 2] & 0xFF;
        int addrBytes = Math.min(optLen - 4, family == 1 ? 4 : 16);
        if (family == 1 || family == 2) {
          out.ecsFamily = family;
          out.ecsSourcePrefix = source;
          out.ecsScopePrefix = b[data + 3] & 0xFF;
          if (family == 1) {
            out.ecsAddr[10] = (byte) 0xFF;
            out.ecsAddr[11] = (byte) 0xFF;
            System.arraycopy(b, data + 4, out.ecsAddr, 12, addrBytes);
          } else {
            System.arraycopy(b, data + 4, out.ecsAddr, 0, addrBytes);
          }
        }
      }
      p = data + optLen;
    }
  }

  /**
   * Formats one answer as "owner TYPE value" into {@link #text}. A record of class ANY or NONE with no data (an
   * UPDATE's prerequisites and deletions, RFC 2136) is "owner TYPE".
   */
  private L7Problem formatRecord(byte[] b, int msg, int end, String owner, int type, int rrClass, int p, int len) {
    StringBuilder t = text;
    t.setLength(0);
    t.append(owner).append(' ').append(DnsTypes.name(type));
    if (len == 0 && (rrClass == CLASS_ANY || rrClass == CLASS_NONE)) {
      return null;
    }
    t.append(' ');
    int rdEnd = p + len;
    switch (type) {
      case DnsTypes.A -> {
        if (len != 4) {
          return L7Problem.DNS_BAD_RECORD;
        }
        t.append(b[p] & 0xFF).append('.').append(b[p + 1] & 0xFF).append('.').append(b[p + 2] & 0xFF)
            .append('.').append(b[p + 3] & 0xFF);
      }
      case DnsTypes.AAAA -> {
        if (len != 16) {
          return L7Problem.DNS_BAD_RECORD;
        }
        IpAddresses.appendV6(t, b, p);
      }
      case DnsTypes.CNAME, DnsTypes.NS, DnsTypes.PTR, DnsTypes.DNAME -> {
        if (!appendName(b, msg, end, p, rdEnd)) {
          return nameProblem;
        }
      }
      case DnsTypes.MX -> {
        if (len < 3) {
          return L7Problem.DNS_BAD_RECORD;
        }
        t.append(u16(b, p)).append(' ');
        if (!appendName(b, msg, end, p + 2, rdEnd)) {
          return nameProblem;
        }
      }
      case DnsTypes.TXT -> {
        int q = p;
        while (q < rdEnd) {
          int n = b[q] & 0xFF;
          if (q + 1 + n > rdEnd) {
            return L7Problem.DNS_BAD_RECORD;
          }
          if (q > p) {
            t.append(' ');
          }
          t.append('"');
          appendText(b, q + 1, n);
          t.append('"');
          q += 1 + n;
        }
      }
      case DnsTypes.SOA -> {
        if (!appendName(b, msg, end, p, rdEnd)) {
          return nameProblem;
        }
        t.append(' ');
        if (!appendName(b, msg, end, nameEnd, rdEnd)) {
          return nameProblem;
        }
        int q = nameEnd;
        if (rdEnd - q != 20) {
          return L7Problem.DNS_BAD_RECORD;
        }
        for (int i = 0; i < 5; i++) {
          t.append(' ').append(u32(b, q + 4 * i));
        }
      }
      case DnsTypes.SRV -> {
        if (len < 7) {
          return L7Problem.DNS_BAD_RECORD;
        }
        t.append(u16(b, p)).append(' ').append(u16(b, p + 2)).append(' ').append(u16(b, p + 4)).append(' ');
        if (!appendName(b, msg, end, p + 6, rdEnd)) {
          return nameProblem;
        }
      }
      case DnsTypes.SVCB, DnsTypes.HTTPS -> {
        if (len < 3) {
          return L7Problem.DNS_BAD_RECORD;
        }
        t.append(u16(b, p)).append(' ');
        // The target is never compressed (RFC 9460), so it must end inside the record.
        if (!appendName(b, p + 2, rdEnd, p + 2, rdEnd)) {
          return nameProblem;
        }
        t.append(" params=").append(rdEnd - nameEnd);
      }
      default -> t.append("len=").append(len);
    }
    if (t.length() > MAX_RDATA_TEXT) {
      t.setLength(MAX_RDATA_TEXT);
    }
    return null;
  }

  private boolean appendName(byte[] b, int msg, int end, int p, int rdEnd) {
    if (!readName(b, msg, end, p)) {
      return false;
    }
    if (nameEnd > rdEnd) {
      nameProblem = L7Problem.DNS_BAD_RECORD;
      return false;
    }
    text.append(nameChars, 0, nameLength);
    return true;
  }

  private void appendText(byte[] b, int p, int n) {
    for (int i = 0; i < n; i++) {
      int c = b[p + i] & 0xFF;
      if (c == '"' || c == '\\') {
        text.append('\\').append((char) c);
      } else if (c < 0x20 || c > 0x7E) {
        text.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10)).append((char) ('0' + c % 10));
      } else {
        text.append((char) c);
      }
    }
  }

  /**
   * Reads the name at {@code p} into {@link #nameChars}, following compression pointers within
   * {@code [msg, end)}. Sets {@link #nameEnd} to the position after the name where it started.
   */
  private boolean readName(byte[] b, int msg, int end, int p) {
    nameLength = 0;
    int wireLength = 1;
    int jumps = 0;
    nameEnd = -1;
    while (true) {
      if (p >= end) {
        nameProblem = L7Problem.DNS_TRUNCATED_MESSAGE;
        return false;
      }
      int len = b[p] & 0xFF;
      if (len == 0) {
        if (nameEnd < 0) {
          nameEnd = p + 1;
        }
        if (nameLength == 0) {
          nameChars[nameLength++] = '.';
        }
        return true;
      }
      int kind = len & 0xC0;
      if (kind == 0xC0) {
        if (p + 1 >= end) {
          nameProblem = L7Problem.DNS_TRUNCATED_MESSAGE;
          return false;
        }
        if (nameEnd < 0) {
          nameEnd = p + 2;
        }
        if (++jumps > MAX_POINTER_JUMPS) {
          nameProblem = L7Problem.DNS_COMPRESSION_LOOP;
          return false;
        }
        p = msg + ((len & 0x3F) << 8 | (b[p + 1] & 0xFF));
        continue;
      }
      if (kind != 0) {
        nameProblem = L7Problem.DNS_BAD_NAME; // the 0x40/0x80 label types are obsolete or unassigned
        return false;
      }
      wireLength += len + 1;
      if (wireLength > MAX_NAME_LENGTH) {
        nameProblem = L7Problem.DNS_BAD_NAME;
        return false;
      }
      if (p + 1 + len > end) {
        nameProblem = L7Problem.DNS_TRUNCATED_MESSAGE;
        return false;
      }
      if (nameLength > 0) {
        nameChars[nameLength++] = '.';
      }
      for (int i = p + 1; i <= p + len; i++) {
        int c = b[i] & 0xFF;
        if (c > 0x20 && c < 0x7F && c != '.' && c != '\\') {
          nameChars[nameLength++] = (char) c;
        } else {
          nameChars[nameLength++] = '\\';
          nameChars[nameLength++] = (char) ('0' + c / 100);
          nameChars[nameLength++] = (char) ('0' + c / 10 % 10);
          nameChars[nameLength++] = (char) ('0' + c % 10);
        }
      }
      p += len + 1;
    }
  }

  private String nameString() {
    return new String(nameChars, 0, nameLength);
  }

  static int u16(byte[] b, int p) {
    return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
  }

  static long u32(byte[] b, int p) {
    return ((long) (b[p] & 0xFF) << 24) | (b[p + 1] & 0xFF) << 16 | (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
  }
}
