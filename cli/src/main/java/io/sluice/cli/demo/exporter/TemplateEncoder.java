package io.sluice.cli.demo.exporter;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A NetFlow v9 (RFC 3954) or IPFIX (RFC 7011) exporter: one template for IPv4 flows and one for IPv6, and three
 * options templates whose data tell the collector what the flows need: the sampling rate, the interface names
 * and descriptions (IE 82/83 with ingressInterface 10) and the VRF names (IE 236 with ingressVRFID 234). The
 * templates and the options data are sent with the first datagram and every {@link #REFRESH_MS} after, as
 * routers do over UDP. Flow records carry ingressVRFID/egressVRFID (234/235). Pure: bytes out.
 *
 * <p>NetFlow v9 has no variable-length fields and its scope fields are scope types: the options use the System
 * scope and carry the interface or VRF id as an ordinary field, as Cisco's interface and VRF tables do; names are
 * fixed-length, NUL-padded. IPFIX scopes the options by the information element itself and sends the names as
 * variable-length strings.
 */
public final class TemplateEncoder {
  static final long REFRESH_MS = 15_000;
  static final int V4_TEMPLATE = 256;
  static final int V6_TEMPLATE = 257;
  static final int SAMPLING_TEMPLATE = 258;
  static final int INTERFACE_TEMPLATE = 259;
  static final int VRF_TEMPLATE = 260;
  private static final int MAX_DATAGRAM = 1400;
  private static final int VARIABLE = 65535;
  private static final int V9_SCOPE_SYSTEM = 1;

  private interface Writer {
    void write(ByteBuffer b, DemoFlow f, TemplateEncoder e);
  }

  private record Field(int ie, int length, Writer writer) {}

  private final boolean ipfix;
  private final byte[] exporter;
  private final long domain;
  private final long samplingRate;
  private final Site site;
  private final long bootMs;
  private final List<Field> v4Fields;
  private final List<Field> v6Fields;
  private long sequence;
  private long nextRefreshMs = Long.MIN_VALUE;

  private TemplateEncoder(boolean ipfix, byte[] exporter, long domain, long samplingRate, Site site, long bootMs) {
    this.ipfix = ipfix;
    this.exporter = exporter.clone();
    this.domain = domain;
    this.samplingRate = samplingRate;
    this.site = site;
    this.bootMs = bootMs;
    this.v4Fields = fields(false);
    this.v6Fields = fields(true);
  }

  /** A NetFlow v9 exporter: {@code exporter} is its IPv4 address (the System scope), {@code sourceId} its source id. */
  public static TemplateEncoder netflowV9(byte[] exporter, long sourceId, long samplingRate, Site site, long bootMs) {
    return new TemplateEncoder(false, exporter, sourceId, samplingRate, site, bootMs);
  }

  /** An IPFIX exporter with one observation domain. */
  public static TemplateEncoder ipfix(byte[] exporter, long domain, long samplingRate, Site site, long bootMs) {
    return new TemplateEncoder(true, exporter, domain, samplingRate, site, bootMs);
  }

  private List<Field> fields(boolean v6) {
    List<Field> f = new ArrayList<>();
    f.add(v6 ? new Field(27, 16, (b, r, e) -> b.put(r.srcAddr())) : new Field(8, 4, (b, r, e) -> b.put(r.srcAddr())));
    f.add(v6 ? new Field(28, 16, (b, r, e) -> b.put(r.dstAddr())) : new Field(12, 4, (b, r, e) -> b.put(r.dstAddr())));
    f.add(new Field(7, 2, (b, r, e) -> b.putShort((short) (icmp(r) ? 0 : r.srcPort()))));
    f.add(new Field(11, 2, (b, r, e) -> b.putShort((short) (icmp(r) ? 0 : r.dstPort()))));
    f.add(new Field(4, 1, (b, r, e) -> b.put((byte) r.protocol())));
    f.add(new Field(6, 1, (b, r, e) -> b.put((byte) r.tcpFlags())));
    f.add(new Field(5, 1, (b, r, e) -> b.put((byte) r.tos())));
    if (ipfix) {
      f.add(new Field(1, 8, (b, r, e) -> b.putLong(r.bytes())));
      f.add(new Field(2, 8, (b, r, e) -> b.putLong(r.packets())));
      f.add(new Field(152, 8, (b, r, e) -> b.putLong(r.startMs())));
      f.add(new Field(153, 8, (b, r, e) -> b.putLong(r.endMs())));
    } else {
      f.add(new Field(1, 4, (b, r, e) -> b.putInt((int) r.bytes())));
      f.add(new Field(2, 4, (b, r, e) -> b.putInt((int) r.packets())));
      f.add(new Field(22, 4, (b, r, e) -> b.putInt((int) (r.startMs() - e.bootMs))));
      f.add(new Field(21, 4, (b, r, e) -> b.putInt((int) (r.endMs() - e.bootMs))));
    }
    f.add(new Field(10, 4, (b, r, e) -> b.putInt(r.inIf())));
    f.add(new Field(14, 4, (b, r, e) -> b.putInt(r.outIf())));
    f.add(new Field(16, 4, (b, r, e) -> b.putInt((int) r.srcAs())));
    f.add(new Field(17, 4, (b, r, e) -> b.putInt((int) r.dstAs())));
    f.add(new Field(v6 ? 29 : 9, 1, (b, r, e) -> b.put((byte) r.srcMask())));
    f.add(new Field(v6 ? 30 : 13, 1, (b, r, e) -> b.put((byte) r.dstMask())));
    f.add(v6 ? new Field(62, 16, (b, r, e) -> b.put(r.nextHop())) : new Field(15, 4, (b, r, e) -> b.put(r.nextHop())));
    f.add(new Field(61, 1, (b, r, e) -> b.put((byte) 0)));
    f.add(new Field(234, 4, (b, r, e) -> b.putInt(r.inVrf())));
    f.add(new Field(235, 4, (b, r, e) -> b.putInt(r.outVrf())));
    f.add(new Field(v6 ? 139 : 32, 2, (b, r, e) -> b.putShort((short) (icmp(r) ? r.srcPort() << 8 | r.dstPort() : 0))));
    return f;
  }

  private static boolean icmp(DemoFlow f) {
    return f.protocol() == Frames.ICMP || f.protocol() == Frames.ICMPV6;
  }

  /** The datagrams for these flows; the templates and options data come first when they are due. */
  public List<byte[]> encode(List<DemoFlow> flows, long nowMs) {
    List<byte[]> datagrams = new ArrayList<>();
    Message m = new Message(nowMs);
    if (nowMs >= nextRefreshMs) {
      // Options first, then the data templates: data sets a collector held for want of a template are decoded
      // when it arrives, and by then the sampling rate is known.
      nextRefreshMs = nowMs + REFRESH_MS;
      optionsTemplates(m);
      optionsData(m);
      dataTemplates(m);
      datagrams.add(m.finish());
      m = new Message(nowMs);
    }
    for (DemoFlow flow : flows) {
      List<Field> fields = flow.ipv6() ? v6Fields : v4Fields;
      int length = fields.stream().mapToInt(Field::length).sum();
      if (m.size() + length + 8 > MAX_DATAGRAM) {
        datagrams.add(m.finish());
        m = new Message(nowMs);
      }
      m.set(flow.ipv6() ? V6_TEMPLATE : V4_TEMPLATE);
      for (Field field : fields) {
        field.writer().write(m.body, flow, this);
      }
      m.record(true);
    }
    if (m.records > 0) {
      datagrams.add(m.finish());
    }
    return datagrams;
  }

  private void dataTemplates(Message m) {
    m.set(ipfix ? 2 : 0);
    for (int id : new int[] {V4_TEMPLATE, V6_TEMPLATE}) {
      List<Field> fields = id == V4_TEMPLATE ? v4Fields : v6Fields;
      m.body.putShort((short) id).putShort((short) fields.size());
      for (Field f : fields) {
        m.body.putShort((short) f.ie()).putShort((short) f.length());
      }
      m.record(false);
    }
  }

  private void optionsTemplates(Message m) {
    m.set(ipfix ? 3 : 1);
    int name = ipfix ? VARIABLE : 32;
    int description = ipfix ? VARIABLE : 64;
    if (ipfix) {
      optionsTemplate(m, SAMPLING_TEMPLATE, new int[] {149, 4}, new int[] {305, 4, 306, 4});
      optionsTemplate(m, INTERFACE_TEMPLATE, new int[] {10, 4}, new int[] {82, name, 83, description});
      optionsTemplate(m, VRF_TEMPLATE, new int[] {234, 4}, new int[] {236, name});
    } else {
      optionsTemplate(m, SAMPLING_TEMPLATE, new int[] {V9_SCOPE_SYSTEM, 4}, new int[] {34, 4, 35, 1});
      optionsTemplate(m, INTERFACE_TEMPLATE, new int[] {V9_SCOPE_SYSTEM, 4}, new int[] {10, 4, 82, name, 83, description});
      optionsTemplate(m, VRF_TEMPLATE, new int[] {V9_SCOPE_SYSTEM, 4}, new int[] {234, 4, 236, name});
    }
  }

  private void optionsTemplate(Message m, int id, int[] scope, int[] options) {
    if (ipfix) {
      m.body.putShort((short) id).putShort((short) ((scope.length + options.length) / 2)).putShort((short) (scope.length / 2));
    } else {
      m.body.putShort((short) id).putShort((short) (scope.length * 2)).putShort((short) (options.length * 2));
    }
    for (int[] list : new int[][] {scope, options}) {
      for (int i = 0; i < list.length; i += 2) {
        m.body.putShort((short) list[i]).putShort((short) list[i + 1]);
      }
    }
    m.record(false);
  }

  private void optionsData(Message m) {
    m.set(SAMPLING_TEMPLATE);
    if (ipfix) {
      // RFC 5477 systematic count-based sampling: 1 packet selected, then rate - 1 skipped.
      m.body.putInt((int) domain).putInt(1).putInt((int) (samplingRate - 1));
    } else {
      m.body.put(exporter).putInt((int) samplingRate).put((byte) 2); // 2: random 1-out-of-N
    }
    m.record(true);
    m.set(INTERFACE_TEMPLATE);
    for (Site.Interface itf : site.interfaces()) {
      if (!ipfix) {
        m.body.put(exporter);
      }
      m.body.putInt(itf.index());
      string(m.body, itf.name(), 32);
      string(m.body, itf.description(), 64);
      m.record(true);
    }
    m.set(VRF_TEMPLATE);
    for (Site.Vrf vrf : site.vrfs()) {
      if (!ipfix) {
        m.body.put(exporter);
      }
      m.body.putInt(vrf.id());
      string(m.body, vrf.name(), 32);
      m.record(true);
    }
  }

  private void string(ByteBuffer b, String s, int fixedLength) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (ipfix) {
      b.put((byte) utf8.length).put(utf8); // names here are shorter than 255 bytes: the one-byte length form
    } else {
      b.put(utf8, 0, Math.min(utf8.length, fixedLength));
      for (int i = utf8.length; i < fixedLength; i++) {
        b.put((byte) 0);
      }
    }
  }

  /** One message being built: the header is written at the end, when its counts are known. */
  private final class Message {
    final ByteBuffer body = ByteBuffer.allocate(8192);
    final long nowMs;
    int setStart = -1;
    int setId = -1;
    int records;
    int dataRecords;

    Message(long nowMs) {
      this.nowMs = nowMs;
    }

    int size() {
      return (ipfix ? 16 : 20) + body.position();
    }

    /** Continues the current set if it has this id, else closes it and opens a new one. */
    void set(int id) {
      if (id == setId) {
        return;
      }
      closeSet();
      setId = id;
      setStart = body.position();
      body.putInt(0);
    }

    /** Counts a record; {@code data}: in a data set (flow or options data), which the IPFIX sequence counts. */
    void record(boolean data) {
      records++;
      if (data) {
        dataRecords++;
      }
    }

    private void closeSet() {
      if (setStart < 0) {
        return;
      }
      if (!ipfix) {
        while ((body.position() - setStart) % 4 != 0) {
          body.put((byte) 0); // v9 flowsets end on a 32-bit boundary
        }
      }
      body.putShort(setStart, (short) setId).putShort(setStart + 2, (short) (body.position() - setStart));
      setStart = -1;
      setId = -1;
    }

    byte[] finish() {
      closeSet();
      ByteBuffer out = ByteBuffer.allocate(size());
      if (ipfix) {
        out.putShort((short) 10).putShort((short) size()).putInt((int) (nowMs / 1000)).putInt((int) sequence).putInt((int) domain);
        sequence += dataRecords;
      } else {
        out.putShort((short) 9).putShort((short) records).putInt((int) (nowMs - bootMs)).putInt((int) (nowMs / 1000))
            .putInt((int) ++sequence).putInt((int) domain);
      }
      out.put(body.array(), 0, body.position());
      return out.array();
    }
  }
}
